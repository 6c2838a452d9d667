export { projectionStoreContract } from './projection-store.contract';
export { InMemoryProjectionStore } from './in-memory-projection-store';
export * from './contract-fixtures';
export * from './engine-test-kit';
