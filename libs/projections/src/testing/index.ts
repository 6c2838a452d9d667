export { projectionStoreContract } from './projection-store.contract';
export * from './contract-fixtures';
