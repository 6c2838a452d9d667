import type { DocumentWrite } from '@ledger/projections/core';
import type { DocumentStatements, RowStatements } from './sqlite-document-tables';
import type { RowIdIndex } from './sqlite-row-id-index';

/**
 * The two ways SqliteProjectionStore writes a batch of documents, inside the caller's transaction:
 * through a target's indexed statements (live targets, and shadows that have their id index), or
 * by rowid into a shadow being filled without any index (see RowIdIndex). Both apply each write
 * under its position guard and return how many applied.
 */

/**
 * A write whose document the caller has already turned into its JSON text (`body`), as the
 * threaded store's caller does: stored as is. Its `doc` then only needs `tenantId`.
 */
export type SqliteWrite<Doc> = DocumentWrite<Doc> & { readonly body?: string };

const bodyOf = (w: SqliteWrite<unknown>): string => w.body ?? JSON.stringify(w.doc);

/** Writes through the target's indexed statements under each write's guard; returns how many applied. */
export function writeDocuments<Doc extends { readonly tenantId: string }>(
  s: DocumentStatements,
  writes: readonly SqliteWrite<Doc>[],
): number {
  let applied = 0;
  for (const w of writes) {
    const notOlder = w.guard === 'not-older';
    const changed = w.doc
      ? (notOlder ? s.upsertNotOlder : s.upsertNewer).run(
          w.id,
          w.doc.tenantId,
          w.position,
          w.positionKey,
          bodyOf(w),
        )
      : (notOlder ? s.deleteNotOlder : s.deleteNewer).run(w.id, w.positionKey);
    if (changed.changes === 0) continue;
    applied++;
    for (const a of s.arrays) {
      a.clear.run(w.id);
      if (w.doc) a.fill.run(w.id);
    }
  }
  return applied;
}

/**
 * The writes of a shadow filled without an id index, under the same guards as the upserts: an
 * id the map has never seen has no row (plain INSERT); a known one is updated by rowid where
 * the stored position is older. Returns how many applied.
 */
export function writeRows<Doc extends { readonly tenantId: string }>(
  rows: RowIdIndex,
  s: RowStatements,
  writes: readonly SqliteWrite<Doc>[],
): number {
  let applied = 0;
  for (const w of writes) {
    const notOlder = w.guard === 'not-older';
    const rowid = rows.candidates(w.id).find((r) => s.idOf.get(r) === w.id);
    if (w.doc === null) {
      if (rowid !== undefined)
        applied += (notOlder ? s.deleteNotOlder : s.deleteNewer).run(rowid, w.positionKey).changes;
      continue;
    }
    const body = bodyOf(w);
    if (rowid === undefined) {
      const r = s.insert.run(w.id, w.doc.tenantId, w.position, w.positionKey, body);
      rows.add(w.id, Number(r.lastInsertRowid));
      applied++;
    } else {
      const update = notOlder ? s.updateNotOlder : s.updateNewer;
      applied += update.run(w.doc.tenantId, w.position, w.positionKey, body, rowid, w.positionKey).changes;
    }
  }
  return applied;
}
