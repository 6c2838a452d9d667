import { applyDecorators } from '@nestjs/common';
import { IsISO8601, Matches } from 'class-validator';
import { TASK_PRIORITIES } from '@ledger/tasks/task.events';

/** Limits from the public contract; the domain checks them again and does not trust the HTTP layer. */
export const TITLE_MAX = 200;
export const DESCRIPTION_MAX = 10_000;
export const COMMENT_MAX = 5_000;
export const LABELS_MAX = 20;
export const LABEL_MAX = 50;
export const ASSIGNEE_MAX = 200;
export const PRIORITIES = TASK_PRIORITIES as string[];

/** RFC 3339 date-time with an offset: a bare date or a local time has no single instant. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/i;

export const IsIsoDateTime = (): PropertyDecorator =>
  applyDecorators(
    IsISO8601({ strict: true, strictSeparator: true }),
    Matches(DATE_TIME, {
      message: '$property must be an ISO 8601 date-time with a time zone, e.g. 2027-01-31T17:00:00Z',
    }),
  );
