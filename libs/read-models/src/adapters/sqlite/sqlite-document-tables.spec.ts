import Database from 'better-sqlite3';
import type { DocumentStorage } from '../../core/document-storage';
import { docTable, ensureDocumentTables } from './sqlite-document-tables';

const storage = (fields: DocumentStorage['fields']): DocumentStorage => ({
  fields,
  indexes: Object.keys(fields).map((f) => [f]),
  arrays: {},
});

/** 0 = plain, 2 = VIRTUAL, 3 = STORED (pragma_table_xinfo's `hidden`). */
const hiddenKinds = (db: Database.Database, target: string) =>
  Object.fromEntries(
    (
      db.prepare(`SELECT name, hidden FROM pragma_table_xinfo(?)`).all(docTable(target)) as {
        name: string;
        hidden: number;
      }[]
    ).map((c) => [c.name, c.hidden]),
  );

describe('SQLite document tables', () => {
  let db: Database.Database;
  beforeEach(() => (db = new Database(':memory:')));
  afterEach(() => db.close());

  it.each([false, true])(
    'declares the field columns of a new table STORED (deferred indexes: %s)',
    (deferIndexes) => {
      ensureDocumentTables(db, 't1', storage({ status: { path: 'status' } }), { deferIndexes });
      expect(hiddenKinds(db, 't1')).toMatchObject({ id: 0, body: 0, f_status: 3 });
      db.prepare(
        `INSERT INTO ${docTable('t1')} (id, tenant_id, position, position_key, body) VALUES (?, ?, ?, ?, ?)`,
      ).run('a', 'x', '1', '1', JSON.stringify({ status: 'todo' }));
      db.prepare(`UPDATE ${docTable('t1')} SET body = ? WHERE id = 'a'`).run(
        JSON.stringify({ status: 'done' }),
      );
      expect(
        db
          .prepare(`SELECT f_status FROM ${docTable('t1')}`)
          .pluck()
          .get(),
      ).toBe('done');
    },
  );

  it('adds a field declared later to an existing table as a VIRTUAL column, indexed and filled', () => {
    ensureDocumentTables(db, 't1', storage({ status: { path: 'status' } }));
    db.prepare(
      `INSERT INTO ${docTable('t1')} (id, tenant_id, position, position_key, body) VALUES (?, ?, ?, ?, ?)`,
    ).run('a', 'x', '1', '1', JSON.stringify({ status: 'todo', dueAt: null }));
    ensureDocumentTables(
      db,
      't1',
      storage({ status: { path: 'status' }, dueAt: { path: 'dueAt', nullAs: '~' } }),
    );
    expect(hiddenKinds(db, 't1')).toMatchObject({ f_status: 3, f_dueAt: 2 });
    const plan = db
      .prepare(`EXPLAIN QUERY PLAN SELECT id FROM ${docTable('t1')} WHERE tenant_id = 'x' AND f_dueAt = '~'`)
      .all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING (COVERING )?INDEX .*f_dueAt/);
    expect(
      db
        .prepare(`SELECT f_dueAt FROM ${docTable('t1')}`)
        .pluck()
        .get(),
    ).toBe('~');
  });
});
