import { TASK_PRIORITIES } from '@ledger/tasks/task.events';

/** Limits from the public contract; the domain checks them again and does not trust the HTTP layer. */
export const TITLE_MAX = 200;
export const DESCRIPTION_MAX = 10_000;
export const COMMENT_MAX = 5_000;
export const LABELS_MAX = 20;
export const LABEL_MAX = 50;
export const ASSIGNEE_MAX = 200;
export const PRIORITIES = TASK_PRIORITIES as string[];
