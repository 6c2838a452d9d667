import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TASK_HISTORY_PROJECTION_NAME } from '../../projections';
import { parseTaskListQuery, TASK_LIST_SORTS, type TaskListSort } from '../../queries/task-list-query';
import {
  seedTasks,
  seedTasksThroughDeferredShadow,
  TASK_LIST_FILTERS,
  taskQueriesContract,
} from '../../testing';
import { createSqliteProjectionStore, type SqliteProjectionStore } from './sqlite-projection-store';
import { createSqliteTaskQueries, taskHistorySql } from './sqlite-task-queries';
import { sideRowsHaveRid } from './sqlite-document-tables';
import { taskListSql } from './sqlite-task-list-sql';

// Store and queries open the file on separate connections, as the projector and the query API
// do, so the contract also covers reads of another connection's commits (WAL snapshots).
taskQueriesContract({
  name: 'sqlite',
  make: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-queries-'));
    const file = join(dir, 'read-models.db');
    const store = createSqliteProjectionStore({ file });
    const queries = createSqliteTaskQueries({ file });
    return {
      store,
      queries,
      cleanup: async () => {
        await queries.close();
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
});

// SQLite-only: the contract checks what the queries answer, this checks how SQLite finds it.
describe.each([
  ['projected live', seedTasks],
  ['rebuilt through a shadow with deferred indexes', seedTasksThroughDeferredShadow],
])('SqliteTaskQueries query plans, %s', (_, seed) => {
  let dir: string;
  let store: SqliteProjectionStore;
  let target: string;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-plans-'));
    store = createSqliteProjectionStore({ file: join(dir, 'read-models.db') });
    target = await seed(store);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const plan = (filter: (typeof TASK_LIST_FILTERS)[number], sort: TaskListSort, withCursor: boolean) => {
    const query = parseTaskListQuery({ ...filter, sort });
    const after = withCursor
      ? { sort, value: sort === 'dueAt' ? null : '2029-01-01T00:00:05.000Z', id: 'task-050' }
      : null;
    const { sql, params } = taskListSql(
      target,
      't1',
      { ...query, after },
      sideRowsHaveRid(store.db, target, 'labels'),
    );
    return (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map(
      (r) => r.detail,
    );
  };

  it.each(TASK_LIST_SORTS)(
    'serves every filter sorted by %s from an index range, never a table scan',
    (sort) => {
      for (const filter of TASK_LIST_FILTERS) {
        for (const withCursor of [false, true]) {
          const details = plan(filter, sort, withCursor);
          expect({ filter, withCursor, details }).toEqual({
            filter,
            withCursor,
            // A label's side rows reach their documents by rowid (`rid`).
            details: details.filter((d) =>
              /^SEARCH .* USING ((COVERING )?INDEX |INTEGER PRIMARY KEY \(rowid=\?\))/.test(d),
            ),
          });
          // One filter (plus the tenant) never needs a sort step: the index yields the order.
          if (Object.keys(filter).length <= 1) expect(details.join('\n')).not.toMatch(/TEMP B-TREE/);
          if (filter.label !== undefined && Object.keys(filter).length === 1)
            expect(details).toEqual([
              expect.stringMatching(/^SEARCH a USING COVERING INDEX /),
              'SEARCH d USING INTEGER PRIMARY KEY (rowid=?)',
            ]);
        }
      }
    },
  );
});

describe.each([
  ['created live', false],
  ['rebuilt through a shadow with deferred indexes', true],
])('SqliteTaskQueries history plan, %s', (_, deferred) => {
  it("reads a task's entries from one id-index range, in order, with no sort step", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-plans-'));
    const store = createSqliteProjectionStore({ file: join(dir, 'read-models.db') });
    try {
      const state = await store.registerProjection(TASK_HISTORY_PROJECTION_NAME, 1);
      let target = state.liveTarget;
      if (deferred) {
        target = (await store.createShadowTarget(TASK_HISTORY_PROJECTION_NAME, 1, { deferIndexes: true }))
          .target;
        await store.prepareSwitch(target);
      }
      const details = (
        store.db.prepare(`EXPLAIN QUERY PLAN ${taskHistorySql(target)}`).all('t1', 'a:', 'a;') as {
          detail: string;
        }[]
      ).map((r) => r.detail);
      expect(details).toEqual([expect.stringMatching(/^SEARCH .* USING INDEX \S+ \(id>\? AND id<\?\)$/)]);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
