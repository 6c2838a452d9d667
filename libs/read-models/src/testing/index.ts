export { taskQueriesContract, type TaskQueriesFixture } from './task-queries.contract';
export * from './task-queries.fixtures';
