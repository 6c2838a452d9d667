import { randomUUID } from 'node:crypto';
import { skipUnlessEnv } from '@ledger/platform/testing/contract-target';
import { events, namespace, usingStore } from '../../testing/contract-helpers';
import { eventStoreContract } from '../../testing/event-store.contract';
import { createEventStoreDbEventStore } from './eventstoredb-event-store';
import { createEventStoreDbIdempotencyStore } from './eventstoredb-idempotency-store';

// Runs only against a real server (EVENTSTORE_URL, e.g. esdb://localhost:2113?tls=false);
// without one every case is registered as skipped, with the reason, never as passed.
const url = process.env.EVENTSTORE_URL;
const skipReason = skipUnlessEnv('EVENTSTORE_URL', 'EventStoreDB');
const make = async () => createEventStoreDbEventStore({ connectionString: url as string });

eventStoreContract({ name: 'eventstoredb', skipReason, make });

(skipReason ? describe.skip : describe)('EventStoreDB event store (server)', () => {
  // Other writers share the server, so this checks what it can without assuming a quiet log.
  it('hides idempotency-key streams from readAll', () =>
    usingStore(make, async (store) => {
      const ns = namespace();
      const before = await store.append(ns.stream('a'), events(1, 'E'), 'no_stream');
      const idem = createEventStoreDbIdempotencyStore({ connectionString: url as string });
      try {
        await idem.claim(`tenant-${randomUUID()}`, 'k1', 'h', new Date(), 30_000);
      } finally {
        await idem.close();
      }
      const after = await store.readAll({ from: before.position, limit: 1000 });
      expect(after.filter((e) => e.streamName.startsWith('ledger-idempotency-'))).toEqual([]);
    }));
});
