export * from './ledger-error';
export * from './domain-errors';
