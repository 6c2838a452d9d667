export * from './event-store.port';
export * from './idempotency-store.port';
