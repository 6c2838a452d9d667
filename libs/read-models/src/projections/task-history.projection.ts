import type { ProjectedEvent, Projection, ReadDocument } from '@ledger/projections/core/projection';
import { TASK_EVENT_TYPES, type TaskEvent, type TaskEventType } from '@ledger/tasks/task.events';

/** One entry of `GET /v1/tasks/:id/history`: one event of the task, as upcasted today. */
export interface TaskHistoryDocument extends ReadDocument {
  readonly taskId: string;
  readonly revision: number;
  readonly type: TaskEventType;
  readonly data: TaskEvent['data'];
  readonly actor: string;
  readonly occurredAt: string;
  readonly position: string;
}

export const TASK_HISTORY_PROJECTION_NAME = 'task-history';

// 10 digits hold any revision a task stream will reach and keep ids fixed-width.
const REVISION_DIGITS = 10;

/**
 * `${taskId}:${revision padded to 10 digits}`: ids sort lexically in revision order, so a
 * read store can serve a task's history with a prefix scan ordered by id alone.
 */
export const taskHistoryEntryId = (taskId: string, revision: number | bigint): string =>
  `${taskId}:${String(revision).padStart(REVISION_DIGITS, '0')}`;

/**
 * Every event of every task. Idempotent by construction: an event always maps to the same
 * document id and the document is computed from the event alone, so a replay rewrites an
 * identical document.
 */
export const taskHistoryProjection: Projection<TaskHistoryDocument> = {
  name: TASK_HISTORY_PROJECTION_NAME,
  version: 1,
  handles: TASK_EVENT_TYPES,
  documentPerEvent: true,
  documentId: (event) => taskHistoryEntryId(event.data.taskId, event.revision),
  evolve: (_doc, event) => historyEntry(event),
};

function historyEntry(event: ProjectedEvent): TaskHistoryDocument {
  return {
    id: taskHistoryEntryId(event.data.taskId, event.revision),
    tenantId: event.metadata.tenantId,
    taskId: event.data.taskId,
    revision: Number(event.revision),
    type: event.type,
    data: event.data,
    actor: event.metadata.actor,
    occurredAt: event.metadata.occurredAt,
    position: event.position,
  };
}
