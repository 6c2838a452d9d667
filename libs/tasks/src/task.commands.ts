import type { TaskDetailsChanges, TaskPriority } from './task.events';

/**
 * What every command carries besides its data. `now` and ids come from outside so that
 * `decide` stays pure.
 */
export interface CommandMetadata {
  readonly tenantId: string;
  readonly actor: string;
  readonly now: string;
}

type Command<Type extends string, Data> = Readonly<{
  type: Type;
  data: Readonly<Data>;
  metadata: CommandMetadata;
}>;

export type CreateTask = Command<
  'CreateTask',
  {
    taskId: string;
    title: string;
    description?: string | null;
    assignee?: string | null;
    priority?: TaskPriority;
    dueAt?: string | null;
    labels?: readonly string[];
  }
>;
export type ChangeTaskDetails = Command<'ChangeTaskDetails', { taskId: string; changes: TaskDetailsChanges }>;
export type AssignTask = Command<'AssignTask', { taskId: string; assignee: string }>;
export type UnassignTask = Command<'UnassignTask', { taskId: string }>;
export type StartTask = Command<'StartTask', { taskId: string }>;
export type CompleteTask = Command<'CompleteTask', { taskId: string }>;
export type ReopenTask = Command<'ReopenTask', { taskId: string }>;
export type ArchiveTask = Command<'ArchiveTask', { taskId: string }>;
export type AddComment = Command<'AddComment', { taskId: string; commentId: string; body: string }>;

export type TaskCommand =
  | CreateTask
  | ChangeTaskDetails
  | AssignTask
  | UnassignTask
  | StartTask
  | CompleteTask
  | ReopenTask
  | ArchiveTask
  | AddComment;

export type TaskCommandType = TaskCommand['type'];
