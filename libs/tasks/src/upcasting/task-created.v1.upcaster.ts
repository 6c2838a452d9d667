import type { TaskPriority } from '../task.events';
import { UpcastError, type Upcaster } from './upcaster';

/** TaskCreated as written before v2: numeric priority, `body`, `dueDate`, `tags`. */
export interface TaskCreatedV1 {
  readonly taskId: string;
  readonly title: string;
  readonly body: string | null;
  readonly assignee: string | null;
  readonly priority: number;
  readonly dueDate?: string;
  readonly tags?: readonly string[];
}

const PRIORITY_BY_NUMBER: Readonly<Record<number, TaskPriority>> = {
  1: 'low',
  2: 'normal',
  3: 'high',
  4: 'urgent',
};

export const taskCreatedV1ToV2: Upcaster = {
  type: 'TaskCreated',
  fromVersion: 1,
  upcast(raw) {
    const v1 = raw as TaskCreatedV1;
    const priority = PRIORITY_BY_NUMBER[v1.priority];
    if (priority === undefined) {
      throw new UpcastError(
        `TaskCreated v1 of task ${v1.taskId} has priority ${v1.priority}, not 1..4`,
        'TaskCreated',
        1,
      );
    }
    return {
      taskId: v1.taskId,
      title: v1.title,
      description: v1.body ?? null,
      assignee: v1.assignee ?? null,
      priority,
      dueAt: v1.dueDate ?? null,
      // v1 never deduplicated tags; v2 labels are unique, and folds index on that.
      labels: [...new Set(v1.tags ?? [])],
    };
  },
};
