/** The orders GET /v1/tasks offers; the id breaks ties in every one of them. */
export const TASK_LIST_SORTS = ['createdAt', '-createdAt', 'dueAt', '-updatedAt'] as const;
export type TaskListSort = (typeof TASK_LIST_SORTS)[number];

export const isTaskListSort = (s: string): s is TaskListSort =>
  (TASK_LIST_SORTS as readonly string[]).includes(s);
