import type { TaskPriority, TaskStatus } from './task.events';

/** A task as its own stream tells it. Timestamps are the `occurredAt` of events, never a clock. */
export interface ExistingTask {
  readonly exists: true;
  readonly tenantId: string;
  readonly taskId: string;
  readonly title: string;
  readonly description: string | null;
  readonly status: TaskStatus;
  readonly assignee: string | null;
  readonly priority: TaskPriority;
  readonly dueAt: string | null;
  readonly labels: readonly string[];
  readonly commentCount: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

// The stream revision is deliberately absent: it belongs to the store, not to the fold.
export type TaskState = Readonly<{ exists: false }> | ExistingTask;

export const initialState: TaskState = Object.freeze({ exists: false });
