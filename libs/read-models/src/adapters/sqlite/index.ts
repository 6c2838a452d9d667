export * from './sqlite-projection-store';
export * from './sqlite-task-queries';
export { taskListSql } from './sqlite-task-list-sql';
export { openReadModelDatabase } from './sqlite-connection';
export * from './sqlite-position-watcher';
export * from './sqlite-store-thread';
