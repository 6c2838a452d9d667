export * from './ledger-metrics';
export * from './metrics.module';
export * from './outcomes';
export * from './projection-metrics';
export * from './store-instrumentation';
export * from './verify-textfile';
