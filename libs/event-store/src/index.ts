export * from './core';
export { createSqliteEventStore, type SqliteEventStoreOptions } from './adapters/sqlite/sqlite-event-store';
export { createSqliteIdempotencyStore } from './adapters/sqlite/sqlite-idempotency-store';
export type { SqliteOptions } from './adapters/sqlite/sqlite-database';
