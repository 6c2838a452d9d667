export * from './document-storage';
export * from './task-queries.port';
