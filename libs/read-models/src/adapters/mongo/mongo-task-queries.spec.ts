import { skipUnlessEnv } from '@ledger/platform/testing/contract-target';
import { TASKS_STORAGE } from '../../core/document-storage';
import { parseTaskListQuery, TASK_LIST_SORTS } from '../../queries/task-list-query';
import { seedTasks, TASK_LIST_FILTERS, taskQueriesContract } from '../../testing';
import { documentCollection, type StoredDocumentRecord } from './mongo-document-layout';
import { createMongoProjectionStore, type MongoProjectionStore } from './mongo-projection-store';
import { createMongoTaskQueries, type MongoTaskQueries } from './mongo-task-queries';
import { taskListFind } from './mongo-task-list-query';
import { freshDatabases } from './mongo-test-databases.fixture';

// Runs only against a real server (MONGO_URL, e.g. mongodb://localhost:27017/?replicaSet=rs0);
// without one every case is registered as skipped, with the reason, never as passed. The pure
// parts (find building, hints, document layout, error mapping) have unit specs of their own.
const url = process.env.MONGO_URL;
const skipReason = skipUnlessEnv('MONGO_URL', 'MongoDB');
const newDatabase = freshDatabases(url);
// A replica set acknowledging majority writes over a network is slower than Jest's 5 s default allows for.
jest.setTimeout(30_000);

const open = (): { store: MongoProjectionStore; queries: MongoTaskQueries } => {
  const dbName = newDatabase();
  // Separate clients, as the projector and the query API have in separate processes.
  return {
    store: createMongoProjectionStore({ url: url as string, dbName }),
    queries: createMongoTaskQueries({ url: url as string, dbName }),
  };
};

taskQueriesContract({
  name: 'mongo',
  skipReason,
  make: async () => {
    const { store, queries } = open();
    // freshDatabases drops the database after each test.
    return {
      store,
      queries,
      cleanup: async () => {
        await queries.close();
        await store.close();
      },
    };
  },
});

const stageNames = (plan: unknown): string[] =>
  typeof plan !== 'object' || plan === null
    ? []
    : Object.entries(plan).flatMap(([k, v]) =>
        k === 'stage' && typeof v === 'string' ? [v] : stageNames(v),
      );

// MongoDB-only: the contract checks what the queries answer, this checks how the server finds it.
// Skipped with the same reason as the contract when there is no server.
describe('MongoTaskQueries query plans', () => {
  if (skipReason) {
    it.skip(`SKIPPED (not run, not passed): ${skipReason}`, () => undefined);
    return;
  }

  it('serves every filter and sort from one index range, with no in-memory sort', async () => {
    const { store, queries } = open();
    try {
      await seedTasks(store);
      const live = (await store.getState('tasks'))!.liveTarget;
      const collection = queries.db.collection<StoredDocumentRecord>(documentCollection(live));
      for (const sort of TASK_LIST_SORTS) {
        for (const filter of TASK_LIST_FILTERS) {
          const after = { sort, value: sort === 'dueAt' ? null : '2029-01-01T00:00:05.000Z', id: 'task-050' };
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
    } finally {
      await queries.close();
      await store.close();
    }
  });
});
