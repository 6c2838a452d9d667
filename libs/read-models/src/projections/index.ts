import type { Projection, ReadDocument } from '@ledger/projections/core/projection';
import { statsProjection } from './stats.projection';
import { taskHistoryProjection } from './task-history.projection';
import { tasksProjection } from './tasks.projection';

export * from './stats.projection';
export * from './task-history.projection';
export * from './tasks.projection';

/** Every read model the projector runs; a projection added here is backfilled from position 0. */
export const allProjections: readonly Projection<ReadDocument>[] = [
  tasksProjection,
  taskHistoryProjection,
  statsProjection,
];
