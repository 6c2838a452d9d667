import { createServer } from 'node:net';
import { UnavailableError } from '@ledger/platform/errors';
import { caught, events, iteratorOf, nextWithin } from '../../testing/contract-helpers';
import { createEventStoreDbEventStore } from './eventstoredb-event-store';
import { createEventStoreDbIdempotencyStore } from './eventstoredb-idempotency-store';

// The one behaviour checkable with no server at all: the real client pointed at a port where
// nothing listens. Every call must fail as UnavailableError (HTTP 503), a subscription must keep
// waiting (retrying) rather than fail, and close() must still end everything.

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

describe('EventStoreDB adapters while the server is down', () => {
  let connectionString: string;
  beforeAll(async () => {
    connectionString = `esdb://127.0.0.1:${await freePort()}?tls=false`;
  });

  it('maps every event-store call to UnavailableError', async () => {
    const store = createEventStoreDbEventStore({ connectionString });
    try {
      for (const call of [
        () => store.append('task-1', events(1, 'E'), 'no_stream'),
        () => store.readStream('task-1'),
        () => store.readAll({ limit: 10 }),
        () => store.headPosition(),
      ]) {
        const e = await caught(call());
        expect(e).toBeInstanceOf(UnavailableError);
        expect((e as UnavailableError).message).toMatch(/EventStoreDB is unavailable/);
      }
    } finally {
      await store.close();
    }
  });

  it('keeps a subscription waiting through the outage and ends it on close', async () => {
    const store = createEventStoreDbEventStore({
      connectionString,
      resubscribeBackoff: { initialMs: 20, maxMs: 100 },
    });
    const sub = store.subscribeToAll();
    const it = iteratorOf(sub);
    const pending = it.next();
    expect(await nextWithin({ next: () => pending }, 500)).toBeUndefined();
    await sub.close();
    expect(await pending).toEqual({ done: true, value: undefined });
    await store.close();
    expect(await caught(store.readStream('task-1'))).toBeInstanceOf(UnavailableError);
  });

  it('ends open subscriptions when the store closes', async () => {
    const store = createEventStoreDbEventStore({ connectionString });
    const pending = iteratorOf(store.subscribeToAll()).next();
    await store.close();
    expect(await pending).toEqual({ done: true, value: undefined });
  });

  it('maps idempotency-store calls to UnavailableError', async () => {
    const idem = createEventStoreDbIdempotencyStore({ connectionString });
    try {
      expect(await caught(idem.claim('t', 'k', 'h', new Date(), 30_000))).toBeInstanceOf(UnavailableError);
      expect(await caught(idem.get('t', 'k'))).toBeInstanceOf(UnavailableError);
      expect(await caught(idem.complete('t', 'k', { status: 200, body: {} }))).toBeInstanceOf(
        UnavailableError,
      );
    } finally {
      await idem.close();
    }
  });

  it('rejects a position it did not issue before reaching the server', async () => {
    const store = createEventStoreDbEventStore({ connectionString });
    try {
      await expect(store.readAll({ from: '42', limit: 1 })).rejects.toThrow(/invalid position/);
      expect(() => store.subscribeToAll({ from: 'abc' })).toThrow(/invalid position/);
      expect(store.positionKey('7/7')).toBe('00000000000000000007/00000000000000000007');
    } finally {
      await store.close();
    }
  });
});
