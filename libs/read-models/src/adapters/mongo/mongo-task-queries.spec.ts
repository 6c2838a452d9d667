import { describeContract, skipUnlessEnv } from '@ledger/platform/testing/contract-target';
import { TASK_PRIORITIES, TASK_STATUSES } from '@ledger/tasks';
import { TASKS_STORAGE } from '../../core/document-storage';
import type { TaskDocument } from '../../projections';
import { compareTasks } from '../../queries/cursor';
import { parseTaskListQuery, TASK_LIST_SORTS, type TaskListFilter } from '../../queries/task-list-query';
import { documentCollection, type StoredDocumentRecord } from './mongo-document-layout';
import { createMongoProjectionStore, type MongoProjectionStore } from './mongo-projection-store';
import { createMongoTaskQueries, type MongoTaskQueries } from './mongo-task-queries';
import { taskListFind } from './mongo-task-list-query';
import { freshDatabases } from './mongo-test-databases.fixture';

// There is no shared TaskQueries contract suite yet; these are the SQLite adapter spec's cases,
// run against a real server only (MONGO_URL), registered as skipped with the reason otherwise.
const url = process.env.MONGO_URL;
const newDatabase = freshDatabases(url);
// A replica set acknowledging majority writes over a network is slower than Jest's 5 s default allows for.
jest.setTimeout(30_000);
const key = (n: number) => String(n).padStart(20, '0');

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

interface Fixture {
  readonly store: MongoProjectionStore;
  readonly queries: MongoTaskQueries;
}

const using = async (make: () => Promise<Fixture>, fn: (f: Fixture) => Promise<void>) => {
  const f = await make();
  try {
    await fn(f);
  } finally {
    await f.queries.close();
    await f.store.close();
  }
};

const stageNames = (plan: unknown): string[] =>
  typeof plan !== 'object' || plan === null
    ? []
    : Object.entries(plan).flatMap(([k, v]) =>
        k === 'stage' && typeof v === 'string' ? [v] : stageNames(v),
      );

describeContract<Fixture>(
  'TaskQueries',
  {
    name: 'mongo',
    skipReason: skipUnlessEnv('MONGO_URL', 'MongoDB'),
    make: async () => {
      const dbName = newDatabase();
      const store = createMongoProjectionStore({ url: url as string, dbName });
      const { liveTarget } = await store.registerProjection('tasks', 1);
      const docs = [...t1, ...t2];
      await store.commitBatch(
        liveTarget,
        docs.map((doc, i) => ({ id: doc.id, doc, position: String(i + 1), positionKey: key(i + 1) })),
        { position: String(docs.length), key: key(docs.length) },
      );
      return { store, queries: createMongoTaskQueries({ url: url as string, dbName }) };
    },
  },
  (make) => {
    it('walks every filter in every sort, page by page, in the keyset order', () =>
      using(make, async ({ queries }) => {
        for (const sort of TASK_LIST_SORTS) {
          for (const filter of FILTERS) {
            const expected = t1
              .filter(matches(filter))
              .sort(compareTasks(sort))
              .map((t) => t.id);
            const seen: string[] = [];
            let cursor: string | null = null;
            do {
              const raw: Record<string, unknown> = {
                ...filter,
                sort,
                limit: '4',
                ...(cursor ? { cursor } : {}),
              };
              const page = await queries.listTasks('t1', parseTaskListQuery(raw));
              expect(page.items.length).toBeLessThanOrEqual(4);
              seen.push(...page.items.map((t) => t.id));
              cursor = page.nextCursor;
            } while (cursor);
            expect({ sort, filter, ids: seen }).toEqual({ sort, filter, ids: expected });
          }
        }
      }));

    it('serves every filter and sort from one index range, with no in-memory sort', () =>
      using(make, async ({ store, queries }) => {
        const live = (await store.getState('tasks'))!.liveTarget;
        const collection = queries.db.collection<StoredDocumentRecord>(documentCollection(live));
        for (const sort of TASK_LIST_SORTS) {
          for (const filter of FILTERS) {
            const after = {
              sort,
              value: sort === 'dueAt' ? null : '2029-01-01T00:00:05.000Z',
              id: 'task-050',
            };
            const find = taskListFind(TASKS_STORAGE, 't1', {
              ...parseTaskListQuery({ ...filter, sort }),
              after,
            });
            const plan = await collection
              .find(find.filter, { sort: find.sort, hint: find.hint, limit: find.limit })
              .explain('queryPlanner');
            const stages = stageNames((plan as { queryPlanner: unknown }).queryPlanner);
            expect({
              sort,
              filter,
              ixscan: stages.includes('IXSCAN'),
              sorts: stages.filter((s) => s.includes('SORT')),
            }).toEqual({
              sort,
              filter,
              ixscan: true,
              sorts: [],
            });
          }
        }
      }));

    it('answers a full page with no next cursor when nothing follows, and keeps tenants apart', () =>
      using(make, async ({ queries }) => {
        const page = await queries.listTasks('t2', parseTaskListQuery({ limit: '10' }));
        expect(page.items).toHaveLength(10);
        expect(page.nextCursor).toBeNull();
        expect(await queries.getTask('t1', t1[3].id)).toEqual(t1[3]);
        expect(await queries.getTask('t2', t1[3].id)).toBeUndefined();
        const all = await queries.listTasks('t2', parseTaskListQuery({ limit: '200' }));
        expect(all.items.map((t) => t.tenantId)).toEqual(Array(10).fill('t2'));
        expect((await queries.listTasks('nobody', parseTaskListQuery({}))).items).toEqual([]);
      }));

    it('reads the live target only, and sees a switched-in rebuild at once', () =>
      using(make, async ({ store, queries }) => {
        const shadow = await store.createShadowTarget('tasks', 2);
        const renamed = { ...t1[0], title: 'rebuilt' };
        await store.commitBatch(shadow.target, [
          { id: renamed.id, doc: renamed, position: '1', positionKey: key(1) },
        ]);
        expect((await queries.getTask('t1', t1[0].id))?.title).toBe('Task 0');
        await store.switchLive('tasks', shadow.target);
        expect((await queries.getTask('t1', t1[0].id))?.title).toBe('rebuilt');
        expect((await queries.listTasks('t1', parseTaskListQuery({}))).items).toHaveLength(1);
      }));

    it('reports the lowest checkpoint of the read models asked about', () =>
      using(make, async ({ store, queries }) => {
        expect(await queries.position(['tasks'])).toBe('70');
        expect(await queries.position()).toBeUndefined();
        const history = await store.registerProjection('task-history', 1);
        const stats = await store.registerProjection('stats', 1);
        await store.commitBatch(history.liveTarget, [], { position: '9', key: key(9) });
        await store.commitBatch(stats.liveTarget, [], { position: '100', key: key(100) });
        expect(await queries.position()).toBe('9');
        expect(await queries.position(['tasks', 'stats'])).toBe('70');
      }));

    it('answers history in revision order, stats per tenant, and zeros before anything is projected', () =>
      using(make, async ({ store, queries }) => {
        expect(await queries.taskHistory('t1', 'nope')).toEqual([]);
        expect(await queries.stats('t1')).toEqual({
          byStatus: { todo: 0, in_progress: 0, done: 0, archived: 0 },
          total: 0,
        });
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
        const entries = [entry(10), entry(2), entry(0), { ...entry(1), id: 'abcd:0000000001' }];
        await store.commitBatch(
          liveTarget,
          entries.map((doc) => ({
            id: doc.id,
            doc,
            position: doc.position,
            positionKey: key(Number(doc.position)),
          })),
        );
        expect((await queries.taskHistory('t1', 'abc')).map((e) => e.revision)).toEqual([0, 2, 10]);
        expect(await queries.taskHistory('t2', 'abc')).toEqual([]);
        expect((await queries.taskHistory('t1', 'abc'))[0]).toEqual({
          revision: 0,
          type: 'TaskStarted',
          data: { taskId: 'abc' },
          actor: 'ann',
          occurredAt: 'x',
          position: '1',
        });

        const stats = await store.registerProjection('stats', 1);
        const counts = {
          tenantId: 't1',
          id: 't1',
          byStatus: { todo: 2, in_progress: 1, done: 0, archived: 1 },
          total: 4,
        };
        await store.commitBatch(stats.liveTarget, [
          { id: 't1', doc: counts, position: '5', positionKey: key(5) },
        ]);
        expect(await queries.stats('t1')).toEqual({ byStatus: counts.byStatus, total: 4 });
        expect((await queries.stats('t2')).total).toBe(0);
      }));
  },
);
