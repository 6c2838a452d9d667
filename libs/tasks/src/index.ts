export * from './task.events';
export * from './task.commands';
export * from './task.state';
export { decide, evolve, taskDecider, dedupeLabels } from './task.decider';
export { validateCommand, isIsoDateTime, TASK_LIMITS } from './task.validation';
export { upcast, UPCASTERS, missingUpcasters } from './upcasting/upcast';
export { UpcastError, type StoredEvent, type Upcaster } from './upcasting/upcaster';
export type { TaskCreatedV1 } from './upcasting/task-created.v1.upcaster';
