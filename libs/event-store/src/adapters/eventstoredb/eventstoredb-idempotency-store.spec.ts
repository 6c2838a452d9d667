import { skipUnlessEnv } from '@ledger/platform/testing/contract-target';
import { idempotencyStoreContract } from '../../testing/idempotency-store.contract';
import { createEventStoreDbIdempotencyStore } from './eventstoredb-idempotency-store';

// Runs only against a real server (EVENTSTORE_URL); otherwise registered as skipped, with the reason.
// The contract gives every test its own tenant, so keys never collide on a shared server.
idempotencyStoreContract(
  {
    name: 'eventstoredb',
    skipReason: skipUnlessEnv('EVENTSTORE_URL', 'EventStoreDB'),
    make: async () =>
      createEventStoreDbIdempotencyStore({ connectionString: process.env.EVENTSTORE_URL as string }),
  },
  // Keys expire through the streams' $maxAge, not through purgeOlderThan.
  { expiry: 'native' },
);
