export { connectMongo, type MongoConnection, type MongoConnectionOptions } from './mongo-connection';
export { isTransientMongoError, toLedgerError as mongoToLedgerError } from './mongo-errors';
export * from './mongo-projection-store';
export * from './mongo-task-queries';
export { taskListFind } from './mongo-task-list-query';
