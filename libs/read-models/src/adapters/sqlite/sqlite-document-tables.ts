import type { Database, Statement } from 'better-sqlite3';
import type { DocumentStorage } from '../../core/document-storage';

/**
 * Physical layout of one target. Names are derived, never stored, so the query adapter and the
 * store agree by construction:
 *   doc__<target>            rid, id, tenant_id, position, position_key, body (JSON), f_<field> columns
 *   arr__<target>__<array>   one row per (document, value): the document's id and rid, copies of
 *                            the array's sort fields
 * `rid` is the document row's INTEGER PRIMARY KEY, i.e. its rowid made explicit so that VACUUM
 * keeps it: a side row reaches its document by it, one lookup in the table's own B-tree instead
 * of a search of the id index first (a 51-row label page: 25 µs instead of 39). Tables made
 * before have no `rid`, and their side tables join on `id` (see `sideRowsHaveRid`).
 * Field columns are generated columns over the body: written by nothing but SQLite, so they can
 * never disagree with the document. A new table has them STORED: each write extracts them once,
 * where VIRTUAL ones are extracted again by every index (12 on tasks) when it is built and, for the
 * old row, when an update moves its index entries. Measured on a 1M-event rebuild: the indexes of
 * tasks build in ~25% less time. A column added to an existing table is VIRTUAL (SQLite cannot ADD
 * a STORED column), which queries cannot tell apart.
 */
export const quote = (identifier: string): string => `"${identifier.replace(/"/g, '""')}"`;
export const docTable = (target: string): string => `doc__${target}`;
export const arrayTable = (target: string, array: string): string => `arr__${target}__${array}`;
export const fieldColumn = (field: string): string => `f_${field}`;

/** `tasks-history` -> `tasks_history`; runs of `_` collapse so `__` only ever separates parts. */
export const slug = (name: string): string =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '') || 'p';

const jsonPath = (path: string): string => `'$.${path.replace(/'/g, "''")}'`;

const fieldExpression = (storage: DocumentStorage, field: string): string => {
  const spec = storage.fields[field];
  if (!spec) throw new Error(`storage declares an index or sort on unknown field "${field}"`);
  const extract = `json_extract(body, ${jsonPath(spec.path)})`;
  return spec.nullAs === undefined ? extract : `ifnull(${extract}, '${spec.nullAs.replace(/'/g, "''")}')`;
};

/** A field's column definition: `STORED` when a table is created, `VIRTUAL` when added later. */
const fieldColumnSql = (storage: DocumentStorage, field: string, kind: 'STORED' | 'VIRTUAL'): string =>
  `${quote(fieldColumn(field))} GENERATED ALWAYS AS (${fieldExpression(storage, field)}) ${kind}`;

const indexName = (table: string, columns: readonly string[]): string =>
  `ix__${table}__${columns.join('__')}`;

export interface DocumentTableOptions {
  /**
   * Only the document table: no index at all, not even on `id` (its writer finds rows by rowid,
   * see RowIdIndex), and no side table. A rebuild's shadow is filled this way; a later call
   * without it builds the rest in bulk: a UNIQUE index on `id` (what ON CONFLICT (id) needs),
   * CREATE INDEX over the finished table, side tables from the bodies in one INSERT ... SELECT.
   */
  readonly deferIndexes?: boolean;
}

const idIndexName = (table: string): string => indexName(table, ['id']);

/** Whether `id` is indexed: the PRIMARY KEY of a table made before `rid`, or the UNIQUE index. */
export function hasIdIndex(db: Database, target: string): boolean {
  const table = docTable(target);
  const pk = db.prepare(`SELECT pk FROM pragma_table_info(?) WHERE name = 'id'`).pluck().get(table);
  if (pk === 1) return true;
  return !!db
    .prepare(`SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?`)
    .get(idIndexName(table));
}

/** The UNIQUE index on `id` (built after a deferred fill, it is one sorted build over the full table). */
export function ensureIdIndex(db: Database, target: string): void {
  if (hasIdIndex(db, target)) return;
  const table = docTable(target);
  db.exec(`CREATE UNIQUE INDEX IF NOT EXISTS ${quote(idIndexName(table))} ON ${quote(table)} (id)`);
}

/** Idempotent: creates what is missing, so a storage declaration may grow between releases. */
export function ensureDocumentTables(
  db: Database,
  target: string,
  storage: DocumentStorage,
  options: DocumentTableOptions = {},
): void {
  const table = docTable(target);
  const stored = Object.keys(storage.fields).map(
    (field) => `,\n    ${fieldColumnSql(storage, field, 'STORED')}`,
  );
  // No PRIMARY KEY on id: its UNIQUE index comes from ensureIdIndex, now or when the deferred
  // indexes are built.
  db.exec(`CREATE TABLE IF NOT EXISTS ${quote(table)} (
    rid INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    position TEXT NOT NULL,
    position_key TEXT NOT NULL,
    body TEXT NOT NULL${stored.join('')}
  )`);
  const existing = new Set(
    (db.prepare(`SELECT name FROM pragma_table_xinfo(?)`).all(table) as { name: string }[]).map(
      (c) => c.name,
    ),
  );
  for (const field of Object.keys(storage.fields)) {
    if (existing.has(fieldColumn(field))) continue;
    db.exec(`ALTER TABLE ${quote(table)} ADD COLUMN ${fieldColumnSql(storage, field, 'VIRTUAL')}`);
  }
  if (options.deferIndexes) return;
  // No (tenant_id, id) index: ids are unique across tenants, so the id index serves every id
  // lookup and range with the tenant checked on the rows found. (Targets made before still have one.)
  ensureIdIndex(db, target);
  for (const fields of storage.indexes) {
    const columns = ['tenant_id', ...fields.map(fieldColumn), 'id'];
    db.exec(
      `CREATE INDEX IF NOT EXISTS ${quote(indexName(table, columns))} ON ${quote(table)} (${columns.map(quote).join(', ')})`,
    );
  }
  for (const [array, spec] of Object.entries(storage.arrays)) {
    const side = arrayTable(target, array);
    const sortColumns = spec.sortFields.map(fieldColumn);
    const created = !db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(side);
    // A side table of a document table made before `rid` existed joins on id, as it always did.
    const withRid = created ? existing.has('rid') : hasColumn(db, side, 'doc_rid');
    db.exec(`CREATE TABLE IF NOT EXISTS ${quote(side)} (
      doc_id TEXT NOT NULL,${withRid ? '\n      doc_rid INTEGER NOT NULL,' : ''}
      tenant_id TEXT NOT NULL,
      value TEXT NOT NULL,
      ${sortColumns.map((c) => `${quote(c)} ANY`).join(',\n      ')}${sortColumns.length ? ',' : ''}
      PRIMARY KEY (doc_id, value)
    ) WITHOUT ROWID`);
    // A side table added to a target that already holds documents (a deferred shadow's, at its
    // switch) is filled from them once: in key order and before its indexes, which are then each
    // built in one sorted pass rather than grown row by row (100k tasks: ~0.7 s instead of ~1.1).
    if (created)
      db.exec(
        `INSERT OR IGNORE INTO ${quote(side)} ${arraySelect(target, array, spec.sortFields, spec.path, withRid)} ORDER BY d.id, j.value`,
      );
    for (const column of sortColumns) {
      // doc_rid last: the index alone yields the page's order and each document's row.
      const columns = ['tenant_id', 'value', column, 'doc_id', ...(withRid ? ['doc_rid'] : [])];
      db.exec(
        `CREATE INDEX IF NOT EXISTS ${quote(indexName(side, columns))} ON ${quote(side)} (${columns.map(quote).join(', ')})`,
      );
    }
  }
}

const hasColumn = (db: Database, table: string, column: string): boolean =>
  !!db.prepare(`SELECT 1 FROM pragma_table_info(?) WHERE name = ?`).get(table, column);

/** Whether a target's side rows carry their document's `rid` (tables made since it exists). */
export const sideRowsHaveRid = (db: Database, target: string, array: string): boolean =>
  hasColumn(db, arrayTable(target, array), 'doc_rid');

/** The side rows of the documents (or of the one with id `?`), in the side table's column order. */
const arraySelect = (
  target: string,
  array: string,
  sortFields: readonly string[],
  path: string,
  withRid: boolean,
  one = false,
) => {
  const copies = sortFields.map((f) => `, d.${quote(fieldColumn(f))}`).join('');
  return `SELECT d.id${withRid ? ', d.rid' : ''}, d.tenant_id, j.value${copies} FROM ${quote(docTable(target))} d, json_each(d.body, ${jsonPath(path)}) j
    WHERE j.type = 'text'${one ? ' AND d.id = ?' : ''}`;
};

/** The target whose document or side table this is (`doc__t`, `arr__t__labels` -> `t`); else undefined. */
export const targetOfTable = (table: string): string | undefined =>
  (/^doc__(.+)$/.exec(table) ?? /^arr__(.+?)__[^_]/.exec(table))?.[1];

/** Every table of this file that belongs to some target, by target. */
export function tablesByTarget(db: Database): Map<string, string[]> {
  const names = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).pluck().all() as string[];
  const byTarget = new Map<string, string[]>();
  for (const name of names) {
    const target = targetOfTable(name);
    if (target !== undefined) byTarget.set(target, [...(byTarget.get(target) ?? []), name]);
  }
  return byTarget;
}

/**
 * The statements that drop a target: each of its indexes, then each of its tables (side tables
 * first). Run one per transaction, they hold the write lock for one B-tree at a time: dropping a
 * table frees every page it has, which took 5-6 s for a rebuilt copy in a stretch of I/O stalls.
 * `IF EXISTS`: two processes may drop the same leftover at once.
 */
export function documentTableDrops(db: Database, target: string): string[] {
  // `arr__` sorts before `doc__`.
  const tables = (tablesByTarget(db).get(target) ?? []).sort();
  // sql IS NULL: the automatic index of a UNIQUE or PRIMARY KEY constraint, which goes with its table.
  const indexes = db
    .prepare(
      `SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
       AND tbl_name IN (SELECT value FROM json_each(?)) ORDER BY name`,
    )
    .pluck()
    .all(JSON.stringify(tables)) as string[];
  return [
    ...indexes.map((name) => `DROP INDEX IF EXISTS ${quote(name)}`),
    ...tables.map((name) => `DROP TABLE IF EXISTS ${quote(name)}`),
  ];
}

export function dropDocumentTables(db: Database, target: string): void {
  for (const sql of documentTableDrops(db, target)) db.exec(sql);
}

/** Prepared once per target and reused for every batch. */
export interface DocumentStatements {
  readonly load: Statement;
  readonly scan: Statement;
  readonly upsertNewer: Statement;
  readonly upsertNotOlder: Statement;
  readonly deleteNewer: Statement;
  readonly deleteNotOlder: Statement;
  /** Per array: rewrite the side rows of one document from its body. */
  readonly arrays: readonly { readonly clear: Statement; readonly fill: Statement }[];
}

/**
 * The writes and reads of a table with no index on `id` (a shadow being filled with deferred
 * indexes): rows are addressed by rowid, which the writer keeps per id (RowIdIndex).
 */
export interface RowStatements {
  /** Plucked: the id of a row, to check a rowid candidate. */
  readonly idOf: Statement;
  readonly insert: Statement;
  readonly updateNewer: Statement;
  readonly updateNotOlder: Statement;
  readonly deleteNewer: Statement;
  readonly deleteNotOlder: Statement;
  readonly loadRows: Statement;
  readonly scan: Statement;
}

export function prepareRowStatements(db: Database, target: string): RowStatements {
  const t = quote(docTable(target));
  const update = (op: '<' | '<=') =>
    db.prepare(`UPDATE ${t} SET tenant_id = ?, position = ?, position_key = ?, body = ?
      WHERE rowid = ? AND position_key ${op} ?`);
  const remove = (op: '<' | '<=') => db.prepare(`DELETE FROM ${t} WHERE rowid = ? AND position_key ${op} ?`);
  return {
    idOf: db.prepare(`SELECT id FROM ${t} WHERE rowid = ?`).pluck(),
    insert: db.prepare(
      `INSERT INTO ${t} (id, tenant_id, position, position_key, body) VALUES (?, ?, ?, ?, ?)`,
    ),
    updateNewer: update('<'),
    updateNotOlder: update('<='),
    deleteNewer: remove('<'),
    deleteNotOlder: remove('<='),
    loadRows: db.prepare(
      `SELECT id, position, position_key, body FROM ${t} WHERE rowid IN (SELECT value FROM json_each(?))`,
    ),
    scan: db.prepare(`SELECT id, position, position_key, body FROM ${t} WHERE id > ? ORDER BY id LIMIT ?`),
  };
}

/** `deferred`: the target has no side tables yet (see DocumentTableOptions), so writes skip them. */
export function prepareDocumentStatements(
  db: Database,
  target: string,
  storage: DocumentStorage,
  deferred = false,
): DocumentStatements {
  const t = quote(docTable(target));
  const upsert = (op: '>' | '>=') =>
    db.prepare(`INSERT INTO ${t} (id, tenant_id, position, position_key, body) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET tenant_id = excluded.tenant_id, position = excluded.position,
        position_key = excluded.position_key, body = excluded.body
      WHERE excluded.position_key ${op} ${t}.position_key`);
  const remove = (op: '<' | '<=') => db.prepare(`DELETE FROM ${t} WHERE id = ? AND position_key ${op} ?`);
  return {
    load: db.prepare(
      `SELECT id, position, position_key, body FROM ${t} WHERE id IN (SELECT value FROM json_each(?))`,
    ),
    scan: db.prepare(`SELECT id, position, position_key, body FROM ${t} WHERE id > ? ORDER BY id LIMIT ?`),
    upsertNewer: upsert('>'),
    upsertNotOlder: upsert('>='),
    deleteNewer: remove('<'),
    deleteNotOlder: remove('<='),
    arrays: (deferred ? [] : Object.entries(storage.arrays)).map(([array, spec]) => {
      const side = quote(arrayTable(target, array));
      const withRid = sideRowsHaveRid(db, target, array);
      const columns = [
        'doc_id',
        ...(withRid ? ['doc_rid'] : []),
        'tenant_id',
        'value',
        ...spec.sortFields.map(fieldColumn),
      ]
        .map(quote)
        .join(', ');
      return {
        clear: db.prepare(`DELETE FROM ${side} WHERE doc_id = ?`),
        fill: db.prepare(
          `INSERT OR IGNORE INTO ${side} (${columns}) ${arraySelect(target, array, spec.sortFields, spec.path, withRid, true)}`,
        ),
      };
    }),
  };
}
