import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TASK_PRIORITIES, TASK_STATUSES } from '@ledger/tasks';
import type { TaskDocument } from '../../projections';
import { compareTasks } from '../../queries/cursor';
import { parseTaskListQuery, TASK_LIST_SORTS, type TaskListFilter } from '../../queries/task-list-query';
import { createSqliteProjectionStore, type SqliteProjectionStore } from './sqlite-projection-store';
import { createSqliteTaskQueries, type SqliteTaskQueries } from './sqlite-task-queries';
import { taskListSql } from './sqlite-task-list-sql';

let dir: string;
let store: SqliteProjectionStore;
let queries: SqliteTaskQueries;
const key = (n: number) => String(n).padStart(20, '0');

// Deterministic spread of values, with ties on every sort field so the id tiebreak matters.
const task = (i: number, tenantId = 't1'): TaskDocument => ({
  id: `task-${String((i * 37) % 101).padStart(3, '0')}-${i}`,
  tenantId,
  title: `Task ${i}`,
  description: null,
  status: TASK_STATUSES[i % 4],
  assignee: i % 3 === 0 ? null : `user${i % 3}`,
  priority: TASK_PRIORITIES[i % 4],
  dueAt: i % 5 === 0 ? null : `2030-01-${String((i % 7) + 1).padStart(2, '0')}T00:00:00.000Z`,
  labels: i % 2 ? ['red', 'blue'] : ['green'],
  commentCount: 0,
  createdAt: `2029-01-01T00:00:${String(i % 20).padStart(2, '0')}.000Z`,
  updatedAt: `2029-02-01T00:00:${String(i % 11).padStart(2, '0')}.000Z`,
  revision: 0,
});
const t1 = Array.from({ length: 60 }, (_, i) => task(i));
const t2 = Array.from({ length: 10 }, (_, i) => task(i + 100, 't2'));

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ledger-queries-'));
  store = createSqliteProjectionStore({ file: join(dir, 'read-models.db') });
  const { liveTarget } = await store.registerProjection('tasks', 1);
  const docs = [...t1, ...t2];
  await store.commitBatch(
    liveTarget,
    docs.map((doc, i) => ({ id: doc.id, doc, position: String(i + 1), positionKey: key(i + 1) })),
    { position: String(docs.length), key: key(docs.length) },
  );
  queries = createSqliteTaskQueries({ file: join(dir, 'read-models.db') });
});
afterEach(async () => {
  await queries.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const FILTERS: TaskListFilter[] = [
  {},
  { status: 'done' },
  { assignee: 'user1' },
  { priority: 'high' },
  { label: 'red' },
  { status: 'todo', assignee: 'user2' },
  { label: 'blue', priority: 'low' },
  { label: 'green', status: 'in_progress', assignee: 'user1', priority: 'urgent' },
];
const matches = (f: TaskListFilter) => (t: TaskDocument) =>
  (f.status === undefined || t.status === f.status) &&
  (f.assignee === undefined || t.assignee === f.assignee) &&
  (f.priority === undefined || t.priority === f.priority) &&
  (f.label === undefined || t.labels.includes(f.label));

describe('SqliteTaskQueries', () => {
  it.each(TASK_LIST_SORTS)('walks every filter sorted by %s, page by page, in the keyset order', async (sort) => {
    for (const filter of FILTERS) {
      const expected = t1.filter(matches(filter)).sort(compareTasks(sort)).map((t) => t.id);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const raw: Record<string, unknown> = { ...filter, sort, limit: '4', ...(cursor ? { cursor } : {}) };
        const page = await queries.listTasks('t1', parseTaskListQuery(raw));
        expect(page.items.length).toBeLessThanOrEqual(4);
        seen.push(...page.items.map((t) => t.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect({ filter, ids: seen }).toEqual({ filter, ids: expected });
    }
  });

  it('answers a full page with no next cursor when nothing follows', async () => {
    const page = await queries.listTasks('t2', parseTaskListQuery({ limit: '10' }));
    expect(page.items).toHaveLength(10);
    expect(page.nextCursor).toBeNull();
  });

  it('keeps tenants apart', async () => {
    expect(await queries.getTask('t1', t1[3].id)).toEqual(t1[3]);
    expect(await queries.getTask('t2', t1[3].id)).toBeUndefined();
    const all = await queries.listTasks('t2', parseTaskListQuery({ limit: '200' }));
    expect(all.items.map((t) => t.tenantId)).toEqual(Array(10).fill('t2'));
    expect((await queries.listTasks('nobody', parseTaskListQuery({}))).items).toEqual([]);
  });

  describe('query plans', () => {
    const plan = (filter: TaskListFilter, sort: (typeof TASK_LIST_SORTS)[number], withCursor: boolean) => {
      const query = parseTaskListQuery({ ...filter, sort });
      const after = withCursor ? { sort, value: sort === 'dueAt' ? null : '2029-01-01T00:00:05.000Z', id: 'task-050' } : null;
      const target = store.db.prepare(`SELECT live_target AS t FROM projections WHERE name = 'tasks'`).get() as { t: string };
      const { sql, params } = taskListSql(target.t, 't1', { ...query, after });
      return (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail);
    };

    it.each(TASK_LIST_SORTS)('serves every filter sorted by %s from an index range, never a table scan', (sort) => {
      for (const filter of FILTERS) {
        for (const withCursor of [false, true]) {
          const details = plan(filter, sort, withCursor);
          expect({ filter, withCursor, details }).toEqual({
            filter,
            withCursor,
            details: details.filter((d) => /^SEARCH .* USING (COVERING )?INDEX /.test(d)),
          });
          // One filter (plus the tenant) never needs a sort step: the index yields the order.
          if (Object.keys(filter).length <= 1) expect(details.join('\n')).not.toMatch(/TEMP B-TREE/);
        }
      }
    });
  });

  it('reads the live target only, and sees a switched-in rebuild at once', async () => {
    const shadow = await store.createShadowTarget('tasks', 2);
    const renamed = { ...t1[0], title: 'rebuilt' };
    await store.commitBatch(shadow.target, [{ id: renamed.id, doc: renamed, position: '1', positionKey: key(1) }]);
    expect((await queries.getTask('t1', t1[0].id))?.title).toBe('Task 0');
    await store.switchLive('tasks', shadow.target);
    expect((await queries.getTask('t1', t1[0].id))?.title).toBe('rebuilt');
    expect((await queries.listTasks('t1', parseTaskListQuery({}))).items).toHaveLength(1);
  });

  it('reports the lowest checkpoint of the read models asked about', async () => {
    expect(await queries.position(['tasks'])).toBe('70');
    expect(await queries.position()).toBeUndefined();
    const history = await store.registerProjection('task-history', 1);
    const stats = await store.registerProjection('stats', 1);
    await store.commitBatch(history.liveTarget, [], { position: '9', key: key(9) });
    await store.commitBatch(stats.liveTarget, [], { position: '100', key: key(100) });
    expect(await queries.position()).toBe('9');
    expect(await queries.position(['tasks', 'stats'])).toBe('70');
  });

  it('answers history in revision order and zero stats before anything is projected', async () => {
    expect(await queries.taskHistory('t1', 'nope')).toEqual([]);
    expect(await queries.stats('t1')).toEqual({ byStatus: { todo: 0, in_progress: 0, done: 0, archived: 0 }, total: 0 });
    const { liveTarget } = await store.registerProjection('task-history', 1);
    const entry = (rev: number, tenantId = 't1') => ({
      id: `abc:${String(rev).padStart(10, '0')}`,
      tenantId,
      taskId: 'abc',
      revision: rev,
      type: 'TaskStarted',
      data: { taskId: 'abc' },
      actor: 'ann',
      occurredAt: 'x',
      position: String(rev + 1),
    });
    const entries = [entry(10), entry(2), entry(0)];
    await store.commitBatch(liveTarget, [...entries, { ...entry(1), id: 'abcd:0000000001' }].map((doc) => ({ id: doc.id, doc, position: doc.position, positionKey: key(Number(doc.position)) })));
    expect((await queries.taskHistory('t1', 'abc')).map((e) => e.revision)).toEqual([0, 2, 10]);
    expect(await queries.taskHistory('t2', 'abc')).toEqual([]);
    expect((await queries.taskHistory('t1', 'abc'))[0]).toEqual({ revision: 0, type: 'TaskStarted', data: { taskId: 'abc' }, actor: 'ann', occurredAt: 'x', position: '1' });
  });
});
