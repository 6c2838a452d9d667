export type TaskStatus = 'todo' | 'in_progress' | 'done' | 'archived';
export const TASK_STATUSES: readonly TaskStatus[] = ['todo', 'in_progress', 'done', 'archived'];

export type TaskPriority = 'low' | 'normal' | 'high' | 'urgent';
export const TASK_PRIORITIES: readonly TaskPriority[] = ['low', 'normal', 'high', 'urgent'];

/** Carried by every stored event. `occurredAt` is ISO-8601; `schemaVersion` is the data shape's version. */
export interface TaskEventMetadata {
  readonly tenantId: string;
  readonly actor: string;
  readonly correlationId: string;
  readonly causationId: string;
  readonly occurredAt: string;
  readonly schemaVersion: number;
  readonly idempotencyKey?: string;
}

type Event<Type extends string, Data> = Readonly<{
  type: Type;
  data: Readonly<Data>;
  metadata: TaskEventMetadata;
}>;

export type TaskCreated = Event<
  'TaskCreated',
  {
    taskId: string;
    title: string;
    description: string | null;
    assignee: string | null;
    priority: TaskPriority;
    dueAt: string | null;
    labels: readonly string[];
  }
>;

/** Only the fields that changed are present; `null` clears an optional field. */
export interface TaskDetailsChanges {
  readonly title?: string;
  readonly description?: string | null;
  readonly priority?: TaskPriority;
  readonly dueAt?: string | null;
  readonly labels?: readonly string[];
}
export type TaskDetailsChanged = Event<'TaskDetailsChanged', { taskId: string; changes: TaskDetailsChanges }>;
export type TaskAssigned = Event<'TaskAssigned', { taskId: string; assignee: string }>;
export type TaskUnassigned = Event<'TaskUnassigned', { taskId: string; previousAssignee: string }>;
export type TaskStarted = Event<'TaskStarted', { taskId: string }>;
// previousStatus lets folds that only see this event (stats) keep exact counts.
export type TaskCompleted = Event<
  'TaskCompleted',
  { taskId: string; previousStatus: 'todo' | 'in_progress' }
>;
export type TaskReopened = Event<'TaskReopened', { taskId: string }>;
export type TaskArchived = Event<
  'TaskArchived',
  { taskId: string; previousStatus: Exclude<TaskStatus, 'archived'> }
>;
export type CommentAdded = Event<'CommentAdded', { taskId: string; commentId: string; body: string }>;

export type TaskEvent =
  | TaskCreated
  | TaskDetailsChanged
  | TaskAssigned
  | TaskUnassigned
  | TaskStarted
  | TaskCompleted
  | TaskReopened
  | TaskArchived
  | CommentAdded;

export type TaskEventType = TaskEvent['type'];
export const TASK_EVENT_TYPES: readonly TaskEventType[] = [
  'TaskCreated',
  'TaskDetailsChanged',
  'TaskAssigned',
  'TaskUnassigned',
  'TaskStarted',
  'TaskCompleted',
  'TaskReopened',
  'TaskArchived',
  'CommentAdded',
];

/** The data shape written today, per type. Stored events with a lower version go through upcasters. */
export const CURRENT_SCHEMA_VERSION: Readonly<Record<TaskEventType, number>> = {
  TaskCreated: 2,
  TaskDetailsChanged: 1,
  TaskAssigned: 1,
  TaskUnassigned: 1,
  TaskStarted: 1,
  TaskCompleted: 1,
  TaskReopened: 1,
  TaskArchived: 1,
  CommentAdded: 1,
};

export const taskStreamName = (taskId: string): string => `task-${taskId}`;
export const TASK_STREAM_PREFIX = 'task-';

/** What `decide` returns: the event before the command handler stamps metadata on it. */
export type UnstampedTaskEvent = TaskEvent extends infer E
  ? E extends TaskEvent
    ? Omit<E, 'metadata'>
    : never
  : never;
