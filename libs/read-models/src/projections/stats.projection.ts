import type { ProjectedEvent, Projection, ReadDocument } from '@ledger/projections/core/projection';
import type { TaskEventType, TaskStatus } from '@ledger/tasks/task.events';

export type StatusCounts = Readonly<Record<TaskStatus, number>>;

/** `GET /v1/stats` for one tenant. `total` counts archived tasks too: they are still tasks. */
export interface StatsDocument extends ReadDocument {
  readonly byStatus: StatusCounts;
  readonly total: number;
}

export const STATS_PROJECTION_NAME = 'stats';

export const emptyStats = (tenantId: string): StatsDocument => ({
  id: tenantId,
  tenantId,
  byStatus: { todo: 0, in_progress: 0, done: 0, archived: 0 },
  total: 0,
});

/**
 * Per-tenant counts by status.
 *
 * NOT idempotent on its own: this is an accumulator, and folding the same event twice counts
 * it twice. The engine must guard it by the document's stored position (skip events at or
 * before it; the SQLite transaction and Mongo's `_position` condition do exactly that).
 * Events that change no status (details, assignment, comments) are not handled, so they
 * never cost a read-modify-write of the tenant's one hot document.
 */
export const statsProjection: Projection<StatsDocument> = {
  name: STATS_PROJECTION_NAME,
  version: 1,
  handles: [
    'TaskCreated',
    'TaskStarted',
    'TaskCompleted',
    'TaskReopened',
    'TaskArchived',
  ] satisfies TaskEventType[],
  documentId: (event) => event.metadata.tenantId,
  evolve: (doc, event) => evolveStats(doc ?? emptyStats(event.metadata.tenantId), event),
};

function evolveStats(doc: StatsDocument, event: ProjectedEvent): StatsDocument {
  switch (event.type) {
    case 'TaskCreated':
      return { ...doc, byStatus: { ...doc.byStatus, todo: doc.byStatus.todo + 1 }, total: doc.total + 1 };
    case 'TaskStarted':
      return move(doc, event, 'todo', 'in_progress');
    case 'TaskCompleted':
      // The event names the status it left: stats never sees the task's own document.
      return move(doc, event, event.data.previousStatus, 'done');
    case 'TaskReopened':
      return move(doc, event, 'done', 'todo');
    case 'TaskArchived':
      return move(doc, event, event.data.previousStatus, 'archived');
    case 'TaskDetailsChanged':
    case 'TaskAssigned':
    case 'TaskUnassigned':
    case 'CommentAdded':
      return doc;
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

function move(doc: StatsDocument, event: ProjectedEvent, from: TaskStatus, to: TaskStatus): StatsDocument {
  // A missing or unknown previousStatus would write NaN, and a count below zero means
  // events were lost or counted twice. Throwing parks the event so the drift is visible.
  if (!Object.hasOwn(doc.byStatus, from)) {
    throw new Error(`${event.type} at ${event.position}: unknown previous status ${String(from)}`);
  }
  if (doc.byStatus[from] <= 0) {
    throw new Error(`${event.type} at ${event.position}: no ${from} task left to move to ${to}`);
  }
  return {
    ...doc,
    byStatus: { ...doc.byStatus, [from]: doc.byStatus[from] - 1, [to]: doc.byStatus[to] + 1 },
  };
}
