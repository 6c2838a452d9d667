import Database from 'better-sqlite3';
import type { DocumentStorage } from '../../core/document-storage';
import {
  arrayTable,
  docTable,
  ensureDocumentTables,
  prepareDocumentStatements,
  sideRowsHaveRid,
} from './sqlite-document-tables';
import { writeDocuments } from './sqlite-document-writes';

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
  /** A document row written by hand, tenant `x`, position 1. */
  const insertRow = (target: string, id: string, body: unknown) =>
    db
      .prepare(
        `INSERT INTO ${docTable(target)} (id, tenant_id, position, position_key, body) VALUES (?, 'x', '1', '1', ?)`,
      )
      .run(id, JSON.stringify(body));
  const firstValue = (target: string, column: string): unknown =>
    db
      .prepare(`SELECT ${column} FROM ${docTable(target)}`)
      .pluck()
      .get();

  it.each([false, true])(
    'declares the field columns of a new table STORED (deferred indexes: %s)',
    (deferIndexes) => {
      ensureDocumentTables(db, 't1', storage({ status: { path: 'status' } }), { deferIndexes });
      expect(hiddenKinds(db, 't1')).toMatchObject({ id: 0, body: 0, f_status: 3 });
      insertRow('t1', 'a', { status: 'todo' });
      db.prepare(`UPDATE ${docTable('t1')} SET body = ? WHERE id = 'a'`).run(
        JSON.stringify({ status: 'done' }),
      );
      expect(firstValue('t1', 'f_status')).toBe('done');
    },
  );

  it('adds a field declared later to an existing table as a VIRTUAL column, indexed and filled', () => {
    ensureDocumentTables(db, 't1', storage({ status: { path: 'status' } }));
    insertRow('t1', 'a', { status: 'todo', dueAt: null });
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
    expect(firstValue('t1', 'f_dueAt')).toBe('~');
  });

  describe('side rows and their documents', () => {
    const labelled: DocumentStorage = {
      fields: { createdAt: { path: 'createdAt' } },
      indexes: [['createdAt']],
      arrays: { labels: { path: 'labels', sortFields: ['createdAt'] } },
    };
    const doc = (id: string, labels: string[]) => ({
      id,
      tenantId: 'x',
      createdAt: `2030-01-0${id.length}`,
      labels,
    });
    const write = (target: string, id: string, labels: string[] | null, key: string) =>
      writeDocuments(prepareDocumentStatements(db, target, labelled), [
        { id, doc: labels && doc(id, labels), position: key, positionKey: key, guard: 'newer' },
      ]);
    const sideRows = (target: string, join: string) =>
      db
        .prepare(
          `SELECT d.id, a.value FROM ${arrayTable(target, 'labels')} a JOIN ${docTable(target)} d ON ${join} ORDER BY d.id, a.value`,
        )
        .all();

    it('carry the rid of their document, which VACUUM keeps', () => {
      ensureDocumentTables(db, 't1', labelled);
      expect(sideRowsHaveRid(db, 't1', 'labels')).toBe(true);
      write('t1', 'a', ['red'], '1');
      write('t1', 'bb', ['red', 'blue'], '2');
      write('t1', 'ccc', ['blue'], '3');
      write('t1', 'a', null, '4'); // deleted: its side rows go, and a gap opens in the rowids
      write('t1', 'dddd', ['red'], '5');
      const expected = [
        { id: 'bb', value: 'blue' },
        { id: 'bb', value: 'red' },
        { id: 'ccc', value: 'blue' },
        { id: 'dddd', value: 'red' },
      ];
      expect(sideRows('t1', 'd.rid = a.doc_rid')).toEqual(expected);
      db.exec('VACUUM');
      expect(sideRows('t1', 'd.rid = a.doc_rid')).toEqual(expected);
      expect(sideRows('t1', 'd.id = a.doc_id')).toEqual(expected);
    });

    it('of a document table made before rid join on id, and are still written', () => {
      // The layout of targets made by earlier releases.
      db.exec(`CREATE TABLE ${docTable('old')} (id TEXT NOT NULL PRIMARY KEY, tenant_id TEXT NOT NULL,
        position TEXT NOT NULL, position_key TEXT NOT NULL, body TEXT NOT NULL)`);
      insertRow('old', 'a', doc('a', ['red']));
      ensureDocumentTables(db, 'old', labelled);
      expect(sideRowsHaveRid(db, 'old', 'labels')).toBe(false);
      write('old', 'bb', ['blue'], '2');
      expect(sideRows('old', 'd.id = a.doc_id')).toEqual([
        { id: 'a', value: 'red' },
        { id: 'bb', value: 'blue' },
      ]);
    });
  });
});
