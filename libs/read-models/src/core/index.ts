export * from './document-storage';
export * from './task-queries.port';
export * from './polling-position-waiter';
