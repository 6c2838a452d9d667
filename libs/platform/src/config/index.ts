export * from './api-keys';
export * from './ledger-config';
export * from './ledger-config.module';
export * from './load-config-or-exit';
