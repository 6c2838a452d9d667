export { createEventStoreDbEventStore, type EventStoreDbEventStoreOptions } from './eventstoredb-event-store';
export {
  createEventStoreDbIdempotencyStore,
  type EventStoreDbIdempotencyStoreOptions,
} from './eventstoredb-idempotency-store';
