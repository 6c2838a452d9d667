import { createServer } from 'node:net';
import { UnavailableError } from '@ledger/platform/errors';
import { createMongoProjectionStore } from './mongo-projection-store';
import { createMongoTaskQueries } from './mongo-task-queries';
import { parseTaskListQuery } from '../../queries/task-list-query';

// MongoDB down, for real: the real driver pointed at a port nothing listens on. No server and no
// stub is involved; this checks that an outage reaches callers as UnavailableError (503, retried
// by the engine) rather than as a raw driver error, and that a store built while it is down
// neither connects nor throws at construction.
const closedPort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

describe('MongoDB unreachable', () => {
  let url: string;
  beforeAll(async () => {
    url = `mongodb://127.0.0.1:${await closedPort()}/?directConnection=true`;
  });

  it('fails projection store calls with UnavailableError, and recovers its start-up work on a later call', async () => {
    const store = createMongoProjectionStore({ url, serverSelectionTimeoutMS: 200 });
    try {
      const first = await store.getState('tasks').catch((e: unknown) => e);
      expect(first).toBeInstanceOf(UnavailableError);
      expect((first as Error).message).toMatch(/^MongoDB is unavailable/);
      // The failed index set-up is not memoised as done: the next call tries it again.
      expect(
        await store.commitBatch('tasks_g1', [], { position: '1', key: '1' }).catch((e: unknown) => e),
      ).toBeInstanceOf(UnavailableError);
      expect(await store.acquireLease('rebuild:tasks', 'me', 1000).catch((e: unknown) => e)).toBeInstanceOf(
        UnavailableError,
      );
    } finally {
      await store.close();
    }
  });

  it('fails queries with UnavailableError, so the API answers 503', async () => {
    const queries = createMongoTaskQueries({ url, serverSelectionTimeoutMS: 200 });
    try {
      expect(await queries.getTask('t1', 'x').catch((e: unknown) => e)).toBeInstanceOf(UnavailableError);
      expect(await queries.listTasks('t1', parseTaskListQuery({})).catch((e: unknown) => e)).toBeInstanceOf(
        UnavailableError,
      );
      expect(await queries.position().catch((e: unknown) => e)).toBeInstanceOf(UnavailableError);
    } finally {
      await queries.close();
    }
  });
});
