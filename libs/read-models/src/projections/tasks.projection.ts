import type { ProjectedEvent, Projection, ReadDocument } from '@ledger/projections/core/projection';
import { TASK_EVENT_TYPES, type TaskPriority, type TaskStatus } from '@ledger/tasks/task.events';

/** One task as `GET /v1/tasks/:id` and the list endpoint serve it. */
export interface TaskDocument extends ReadDocument {
  readonly title: string;
  readonly description: string | null;
  readonly status: TaskStatus;
  readonly assignee: string | null;
  readonly priority: TaskPriority;
  readonly dueAt: string | null;
  readonly labels: readonly string[];
  readonly commentCount: number;
  readonly createdAt: string;
  /** occurredAt of the last event folded in, whatever its type. */
  readonly updatedAt: string;
  /** Stream revision of the last event folded in (the first event is 0); served as the ETag. */
  readonly revision: number;
}

export const TASKS_PROJECTION_NAME = 'tasks';

/**
 * The current state of every task. Archived tasks stay, with status 'archived', because
 * reads of an archived task must still answer.
 *
 * Idempotent on its own: an event at or below the document's revision is ignored, so a
 * batch replayed after a crash (or a duplicate delivery) changes nothing.
 */
export const tasksProjection: Projection<TaskDocument> = {
  name: TASKS_PROJECTION_NAME,
  version: 1,
  // Every event type moves `revision` and `updatedAt`, so every type is handled.
  handles: TASK_EVENT_TYPES,
  documentId: (event) => event.data.taskId,
  evolve: evolveTask,
};

function evolveTask(doc: TaskDocument | null, event: ProjectedEvent): TaskDocument | null {
  const revision = Number(event.revision);
  const { tenantId, occurredAt } = event.metadata;

  if (doc === null) {
    if (event.type !== 'TaskCreated') {
      // Stream order guarantees TaskCreated comes first; a missing document means the read
      // model lost it. Throwing parks the event where `ledger parked` shows it, instead of
      // inventing a task with made-up fields.
      throw new Error(
        `${event.type} at ${event.streamName}@${revision}: no task document (TaskCreated missing)`,
      );
    }
    const { data } = event;
    return {
      id: data.taskId,
      tenantId,
      title: data.title,
      description: data.description,
      status: 'todo',
      assignee: data.assignee,
      priority: data.priority,
      dueAt: data.dueAt,
      labels: [...data.labels],
      commentCount: 0,
      createdAt: occurredAt,
      updatedAt: occurredAt,
      revision,
    };
  }

  // Replays and duplicates. A gap (revision > doc.revision + 1) is applied anyway: the
  // skipped event is parked and `verify` reports the drift; stalling here would not help.
  if (revision <= doc.revision) return doc;

  if (tenantId !== doc.tenantId) {
    // A task never changes tenant; a mismatch is corruption, not something to fold.
    throw new Error(
      `${event.type} at ${event.streamName}@${revision}: tenant ${tenantId} != ${doc.tenantId}`,
    );
  }

  const next = { ...doc, updatedAt: occurredAt, revision };
  switch (event.type) {
    case 'TaskCreated':
      // A second TaskCreated above the document's revision cannot come from the decider.
      throw new Error(`TaskCreated at ${event.streamName}@${revision}: task already exists`);
    case 'TaskDetailsChanged': {
      const { changes } = event.data;
      // Absent means unchanged; null clears an optional field, so test for undefined only.
      return {
        ...next,
        ...(changes.title !== undefined && { title: changes.title }),
        ...(changes.description !== undefined && { description: changes.description }),
        ...(changes.priority !== undefined && { priority: changes.priority }),
        ...(changes.dueAt !== undefined && { dueAt: changes.dueAt }),
        ...(changes.labels !== undefined && { labels: [...changes.labels] }),
      };
    }
    case 'TaskAssigned':
      return { ...next, assignee: event.data.assignee };
    case 'TaskUnassigned':
      return { ...next, assignee: null };
    case 'TaskStarted':
      return { ...next, status: 'in_progress' };
    case 'TaskCompleted':
      return { ...next, status: 'done' };
    case 'TaskReopened':
      return { ...next, status: 'todo' };
    case 'TaskArchived':
      return { ...next, status: 'archived' };
    case 'CommentAdded':
      return { ...next, commentCount: doc.commentCount + 1 };
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}
