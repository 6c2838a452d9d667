import type { ReadinessCheck } from '@ledger/platform/health';
import type { EventStore } from './core';

export const eventStoreReadiness = (store: EventStore): ReadinessCheck => ({
  name: 'eventStore',
  check: async () => {
    await store.headPosition();
  },
});
