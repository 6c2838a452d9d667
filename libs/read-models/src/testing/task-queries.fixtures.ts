import type { Checkpoint, ProjectionStore, StoredDocument } from '@ledger/projections/core';
import { TASK_PRIORITIES, TASK_STATUSES } from '@ledger/tasks/task.events';
import type { TaskQueries } from '../core/task-queries.port';
import {
  STATS_PROJECTION_NAME,
  TASK_HISTORY_PROJECTION_NAME,
  TASKS_PROJECTION_NAME,
  taskHistoryEntryId,
  type StatsDocument,
  type TaskDocument,
  type TaskHistoryDocument,
} from '../projections';
import type { TaskListFilter } from '../queries/task-list-query';

/**
 * What the TaskQueries contract runs against: the queries read what the store wrote, so a
 * fixture is a fresh, EMPTY pair over the same storage (nothing registered). `cleanup` closes
 * both and removes whatever the fixture created.
 */
export interface TaskQueriesFixture {
  readonly store: ProjectionStore;
  readonly queries: TaskQueries;
  cleanup(): Promise<void>;
}

export const using = async (
  make: () => Promise<TaskQueriesFixture>,
  fn: (f: TaskQueriesFixture) => Promise<void>,
): Promise<void> => {
  const fixture = await make();
  try {
    await fn(fixture);
  } finally {
    await fixture.cleanup();
  }
};

/** Positions are plain integers; keys are zero-padded like the SQLite event store's. */
export const key = (n: number): string => String(n).padStart(20, '0');
export const ck = (n: number): Checkpoint => ({ position: String(n), key: key(n) });
export const at = <Doc extends { readonly id: string }>(doc: Doc, n: number): StoredDocument<Doc> => ({
  id: doc.id,
  doc,
  position: String(n),
  positionKey: key(n),
});

/**
 * A deterministic spread of values with ties on every sort field (so the id tiebreak matters),
 * a fifth of the tasks without dueAt (so "nulls last" and null cursors are exercised), and ids
 * whose order differs from creation order.
 */
export const task = (i: number, tenantId = 't1'): TaskDocument => ({
  id: `task-${String((i * 37) % 101).padStart(3, '0')}-${i}`,
  tenantId,
  title: `Task ${i}`,
  description: null,
  status: TASK_STATUSES[i % 4],
  assignee: i % 3 === 0 ? null : `user${i % 3}`,
  priority: TASK_PRIORITIES[i % 4],
  dueAt: i % 5 === 0 ? null : `2030-01-${String((i % 7) + 1).padStart(2, '0')}T00:00:00.000Z`,
  labels: i % 2 ? ['red', 'blue'] : ['green'],
  commentCount: 0,
  createdAt: `2029-01-01T00:00:${String(i % 20).padStart(2, '0')}.000Z`,
  updatedAt: `2029-02-01T00:00:${String(i % 11).padStart(2, '0')}.000Z`,
  revision: 0,
});

export const T1_TASKS: readonly TaskDocument[] = Array.from({ length: 60 }, (_, i) => task(i));
export const T2_TASKS: readonly TaskDocument[] = Array.from({ length: 10 }, (_, i) => task(i + 100, 't2'));
/** The tasks checkpoint after `seedTasks`: one position per document. */
export const SEEDED_POSITION = T1_TASKS.length + T2_TASKS.length;

/** Registers `tasks` and projects T1_TASKS and T2_TASKS into its live target at positions 1..70. */
export async function seedTasks(store: ProjectionStore): Promise<string> {
  const { liveTarget } = await store.registerProjection(TASKS_PROJECTION_NAME, 1);
  const docs = [...T1_TASKS, ...T2_TASKS];
  await store.commitBatch(
    liveTarget,
    docs.map((doc, i) => at(doc, i + 1)),
    ck(docs.length),
  );
  return liveTarget;
}

/**
 * The same documents as `seedTasks`, but as a rebuild writes them: into a shadow created with
 * deferred indexes, switched live. Every task is first written with a stale label and status
 * (positions 1..70), then rewritten (71..140): the side tables and indexes built at the switch
 * must reflect the last body only. The last five are rewritten after `prepareSwitch`, through
 * the ordinary write path that maintains what was built. Returns the live target.
 */
export async function seedTasksThroughDeferredShadow(store: ProjectionStore): Promise<string> {
  await store.registerProjection(TASKS_PROJECTION_NAME, 1);
  const shadow = await store.createShadowTarget(TASKS_PROJECTION_NAME, 2, { deferIndexes: true });
  const docs = [...T1_TASKS, ...T2_TASKS];
  const stale = docs.map((doc, i) => at({ ...doc, status: 'archived' as const, labels: ['stale'] }, i + 1));
  await store.commitBatch(shadow.target, stale, ck(docs.length));
  const n = docs.length;
  const final = docs.map((doc, i) => at(doc, n + i + 1));
  await store.commitBatch(shadow.target, final.slice(0, n - 5), ck(2 * n - 5));
  await store.prepareSwitch(shadow.target);
  await store.commitBatch(shadow.target, final.slice(n - 5), ck(2 * n));
  await store.switchLive(TASKS_PROJECTION_NAME, shadow.target);
  return shadow.target;
}

/**
 * Filters the list endpoint accepts: none, each value of each filter, a value nobody has, and
 * combinations (which the adapters serve by one index range plus checks on the rows it yields).
 */
export const TASK_LIST_FILTERS: readonly TaskListFilter[] = [
  {},
  ...TASK_STATUSES.map((status) => ({ status })),
  ...TASK_PRIORITIES.map((priority) => ({ priority })),
  { assignee: 'user1' },
  { assignee: 'user2' },
  { assignee: 'nobody' },
  { label: 'red' },
  { label: 'blue' },
  { label: 'green' },
  { label: 'absent' },
  { status: 'todo', assignee: 'user2' },
  { status: 'done', priority: 'high' },
  { assignee: 'user1', priority: 'normal' },
  { label: 'blue', priority: 'low' },
  { label: 'red', status: 'in_progress' },
  { label: 'green', assignee: 'user2', status: 'done' },
  { label: 'green', status: 'in_progress', assignee: 'user1', priority: 'urgent' },
];

/** The reference semantics of a filter: every given field equal, `label` contained. */
export const matches =
  (f: TaskListFilter) =>
  (t: TaskDocument): boolean =>
    (f.status === undefined || t.status === f.status) &&
    (f.assignee === undefined || t.assignee === f.assignee) &&
    (f.priority === undefined || t.priority === f.priority) &&
    (f.label === undefined || t.labels.includes(f.label));

/** A task-history entry as the projection writes it (id `${taskId}:${revision padded}`). */
export const historyEntry = (taskId: string, revision: number, tenantId = 't1'): TaskHistoryDocument => ({
  id: taskHistoryEntryId(taskId, revision),
  tenantId,
  taskId,
  revision,
  type: 'TaskStarted',
  data: { taskId },
  actor: 'ann',
  occurredAt: `2029-03-01T00:00:${String(revision % 60).padStart(2, '0')}.000Z`,
  position: String(revision + 1),
});

export const statsDocument = (tenantId: string, byStatus: StatsDocument['byStatus']): StatsDocument => ({
  id: tenantId,
  tenantId,
  byStatus,
  total: Object.values(byStatus).reduce((a, b) => a + b, 0),
});

export const ZERO_STATS = { byStatus: { todo: 0, in_progress: 0, done: 0, archived: 0 }, total: 0 };

/** Registers a read model and returns its live target. */
export const register = async (
  store: ProjectionStore,
  name: typeof TASK_HISTORY_PROJECTION_NAME | typeof STATS_PROJECTION_NAME | typeof TASKS_PROJECTION_NAME,
): Promise<string> => (await store.registerProjection(name, 1)).liveTarget;
