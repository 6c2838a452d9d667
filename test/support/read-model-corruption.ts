import { randomUUID } from 'node:crypto';
import { ReadModelFile } from './read-model-oracle';

export type DriftKind = 'changed' | 'missing' | 'extra';

export interface Corruption {
  readonly projection: string;
  readonly kind: DriftKind;
  readonly id: string;
}

export const corruptionKey = (c: Corruption): string => `${c.projection}|${c.kind}|${c.id}`;

export interface StoredRow {
  readonly id: string;
  readonly tenant_id: string;
  readonly position: string;
  readonly position_key: string;
  readonly body: string;
}

/** Every row of a projection's live document table, keyed by id. */
export function snapshotRows(file: ReadModelFile, projection: string): Map<string, StoredRow> {
  const rows = file.db
    .prepare(`SELECT id, tenant_id, position, position_key, body FROM ${file.table(projection)}`)
    .all() as StoredRow[];
  return new Map(rows.map((r) => [r.id, r]));
}

/**
 * Damages about `fraction` of a projection's live documents straight in SQLite, the way a bad
 * manual fix or a buggy tool would: a third get a field changed, a third are deleted, and as many
 * rows again are inserted that no stream explains. `change` says how a body is altered.
 * Returns what was done, so the test knows exactly what verify must find.
 */
export function corruptProjection(
  file: ReadModelFile,
  projection: string,
  fraction: number,
  random: () => number,
  change: (body: Record<string, unknown>) => Record<string, unknown>,
  extraId: (existing: StoredRow, index: number) => string,
): Corruption[] {
  const rows = [...snapshotRows(file, projection).values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  const per = Math.max(1, Math.round((rows.length * fraction) / 3));
  // A random sample without repeats: partial Fisher-Yates.
  for (let i = 0; i < Math.min(per * 3, rows.length); i++) {
    const j = i + Math.floor(random() * (rows.length - i));
    [rows[i], rows[j]] = [rows[j], rows[i]];
  }
  const table = file.table(projection);
  const done: Corruption[] = [];
  file.db.transaction(() => {
    const update = file.db.prepare(`UPDATE ${table} SET body = ? WHERE id = ?`);
    const remove = file.db.prepare(`DELETE FROM ${table} WHERE id = ?`);
    const insert = file.db.prepare(
      `INSERT INTO ${table} (id, tenant_id, position, position_key, body) VALUES (?, ?, ?, ?, ?)`,
    );
    for (const row of rows.slice(0, per)) {
      update.run(JSON.stringify(change(JSON.parse(row.body) as Record<string, unknown>)), row.id);
      done.push({ projection, kind: 'changed', id: row.id });
    }
    for (const row of rows.slice(per, per * 2)) {
      remove.run(row.id);
      done.push({ projection, kind: 'missing', id: row.id });
    }
    for (const [index, row] of rows.slice(per * 2, per * 3).entries()) {
      const id = extraId(row, index);
      const body = { ...(JSON.parse(row.body) as Record<string, unknown>), id };
      insert.run(id, row.tenant_id, row.position, row.position_key, JSON.stringify(body));
      done.push({ projection, kind: 'extra', id });
    }
  })();
  return done;
}

/** An id in the shape of a task id whose stream does not exist. */
export const strayTaskId = (): string => randomUUID();
