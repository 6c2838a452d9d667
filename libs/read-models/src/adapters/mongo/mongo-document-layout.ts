import type { IndexDescription } from 'mongodb';
import type { StoredDocument } from '@ledger/projections/core';
import type { DocumentStorage } from '../../core/document-storage';

/**
 * Physical layout of one target: a collection `doc__<target>` holding
 *   { _id: <document id>, tenantId, _position: <position key>, _eventPosition: <position>,
 *     doc: <the document as the fold returned it>, k: { <field>: value ?? nullAs } }
 * The document sits whole under `doc`, so it round-trips exactly (no key of the fold can
 * collide with `_id` or the bookkeeping fields, and a removed field really disappears on
 * replace). `k` holds sort keys that need a stand-in for null (dueAt -> '~', so undated tasks
 * sort last, as both stores sort null first).
 *
 * `_id` is the document id alone: the port addresses documents by id within a projection
 * (loadDocuments, scanDocuments know no tenant) and ids are unique per projection (task UUIDs,
 * `taskId:revision`, the tenant itself for stats). Tenant isolation is enforced by every query
 * filtering on `tenantId`, and every index starts with it.
 */
export interface StoredDocumentRecord<Doc = unknown> {
  readonly _id: string;
  readonly tenantId: string;
  readonly _position: string;
  readonly _eventPosition: string;
  readonly doc: Doc;
  readonly k?: Readonly<Record<string, unknown>>;
}

export const DOCUMENT_COLLECTION_PREFIX = 'doc__';
export const documentCollection = (target: string): string => `${DOCUMENT_COLLECTION_PREFIX}${target}`;
/** The target a document collection belongs to, or undefined for any other collection. */
export const targetOfCollection = (collection: string): string | undefined =>
  collection.startsWith(DOCUMENT_COLLECTION_PREFIX)
    ? collection.slice(DOCUMENT_COLLECTION_PREFIX.length) || undefined
    : undefined;

/** `task-history` -> `task_history`; the same rule as the SQLite adapter, so names read alike. */
export const slug = (name: string): string =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '') || 'p';

export const targetName = (projection: string, generation: number): string =>
  `${slug(projection)}_g${generation}`;

/**
 * Target names are used as field names of the state document (`targets.<name>`); anything that
 * is not one of ours (a dot, a `$`) must never reach a query path, so it simply does not exist.
 */
export const isTargetName = (name: string): boolean => /^[a-z0-9_]{1,120}$/.test(name);

/** The stored path a storage field is filtered and sorted on. */
export function fieldPath(storage: DocumentStorage, field: string): string {
  const spec = storage.fields[field];
  if (!spec) throw new Error(`storage declares an index or sort on unknown field "${field}"`);
  return spec.nullAs === undefined ? `doc.${spec.path}` : `k.${field}`;
}

export const arrayPath = (storage: DocumentStorage, array: string): string => {
  const spec = storage.arrays[array];
  if (!spec) throw new Error(`storage declares no array "${array}"`);
  return `doc.${spec.path}`;
};

/** Sort keys with a null stand-in, computed from the document (absent when the storage has none). */
export function sortKeys(storage: DocumentStorage, doc: object): Record<string, unknown> | undefined {
  const entries = Object.entries(storage.fields)
    .filter(([, spec]) => spec.nullAs !== undefined)
    .map(([field, spec]) => [field, (doc as Record<string, unknown>)[spec.path] ?? spec.nullAs] as const);
  return entries.length ? Object.fromEntries(entries) : undefined;
}

export function toRecord<Doc extends { readonly tenantId: string }>(
  storage: DocumentStorage,
  id: string,
  doc: Doc,
  position: string,
  positionKey: string,
): Omit<StoredDocumentRecord<Doc>, '_id'> {
  const k = sortKeys(storage, doc);
  return {
    tenantId: doc.tenantId,
    _position: positionKey,
    _eventPosition: position,
    doc,
    ...(k ? { k } : {}),
  };
}

export const fromRecord = <Doc>(r: StoredDocumentRecord<Doc>): StoredDocument<Doc> => ({
  id: r._id,
  doc: r.doc,
  position: r._eventPosition,
  positionKey: r._position,
});

/**
 * Named after its key paths, so a changed storage declaration (a field moving to `k.` for a null
 * stand-in, say) yields a new index beside the old one instead of a name conflict that would
 * fail every start-up.
 */
const indexOn = (key: Record<string, 1>): IndexDescription => ({ name: Object.keys(key).join('_'), key });

/**
 * Every index of a target, mirroring the SQLite adapter's: `(tenantId, _id)` for lookups and
 * id-prefix scans (a task's history: ids are `taskId:revision`, so this is the
 * (tenantId, taskId, revision) index in one key), `(tenantId, ...fields, _id)` per declared
 * field list, and per array one multikey index `(tenantId, array, sortField, _id)` per sort
 * field, so a label filter with any sort is one index range in order. All ascending: a
 * descending sort walks the same index backwards. `_id` last is the keyset tiebreak.
 */
export function documentIndexes(storage: DocumentStorage): IndexDescription[] {
  const indexes = [indexOn({ tenantId: 1, _id: 1 })];
  for (const fields of storage.indexes) {
    indexes.push(
      indexOn({
        tenantId: 1,
        ...Object.fromEntries(fields.map((f) => [fieldPath(storage, f), 1 as const])),
        _id: 1,
      }),
    );
  }
  for (const [array, spec] of Object.entries(storage.arrays)) {
    for (const sortField of spec.sortFields) {
      indexes.push(
        indexOn({ tenantId: 1, [arrayPath(storage, array)]: 1, [fieldPath(storage, sortField)]: 1, _id: 1 }),
      );
    }
  }
  return indexes;
}
