import type { ProjectedEvent } from '@ledger/projections/core/projection';
import type { TaskCreated, TaskEvent, TaskEventType } from '@ledger/tasks/task.events';

export type EventDataOf<T extends TaskEventType> = Extract<TaskEvent, { type: T }>['data'];

/** Where the event sits and who caused it; everything defaults to something plausible. */
export interface EventContext {
  readonly revision?: number | bigint;
  readonly position?: string;
  readonly tenantId?: string;
  readonly actor?: string;
  readonly occurredAt?: string;
  readonly id?: string;
}

// Fixed base instant, so builders never read the clock and specs stay deterministic.
const BASE_TIME = Date.UTC(2025, 0, 1);

/**
 * A ProjectedEvent for specs: `projectedEvent('TaskStarted', { taskId }, { revision: 1 })`.
 * The default occurredAt moves one minute per revision so `updatedAt` visibly follows the
 * last event, and the default position is derived from the revision.
 */
export function projectedEvent<T extends TaskEventType>(
  type: T,
  data: EventDataOf<T>,
  context: EventContext = {},
): ProjectedEvent {
  const revision = BigInt(context.revision ?? 0);
  const streamName = `task-${data.taskId}`;
  return {
    type,
    data,
    metadata: {
      tenantId: context.tenantId ?? 'tenant-a',
      actor: context.actor ?? 'alice',
      correlationId: `corr-${data.taskId}`,
      causationId: `cause-${data.taskId}-${revision}`,
      occurredAt: context.occurredAt ?? new Date(BASE_TIME + Number(revision) * 60_000).toISOString(),
      schemaVersion: 1,
    },
    id: context.id ?? `evt-${data.taskId}-${revision}`,
    streamName,
    revision,
    position: context.position ?? String(revision + 1n),
  } as ProjectedEvent;
}

/** TaskCreated data with every optional field empty, overridable piecemeal. */
export function taskCreatedData(
  taskId: string,
  overrides: Partial<EventDataOf<'TaskCreated'>> = {},
): TaskCreated['data'] {
  return {
    taskId,
    title: 'Write the spec',
    description: null,
    assignee: null,
    priority: 'normal',
    dueAt: null,
    labels: [],
    ...overrides,
  };
}
