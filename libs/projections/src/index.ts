export * from './core';
export { ProjectionWorker, type ProjectionWorkerOptions } from './engine/projection-worker';
export {
  ProjectionRunner,
  type ProjectionRunnerOptions,
  type RunnerLogger,
  type RunnerStart,
} from './engine/projection-runner';
export type {
  ProjectionLag,
  ProjectionProgress,
  ProgressListener,
  WorkerState,
} from './engine/projection-progress';
export { DEFAULT_RETRY_POLICY, backoffDelay, isTransient, type RetryPolicy } from './engine/retry-policy';
export type { Upcast } from './engine/fold-batch';
export * from './operations';
