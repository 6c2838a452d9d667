import { type FieldProblem, ValidationError } from '@ledger/platform/errors';
import {
  TASK_PRIORITIES,
  TASK_STATUSES,
  type TaskPriority,
  type TaskStatus,
} from '@ledger/tasks/task.events';
import { readCursor, type TaskListCursor } from './cursor';

import { TASK_LIST_SORTS, type TaskListSort } from './task-list-sort';

export { TASK_LIST_SORTS, type TaskListSort };

/** Newest first: what someone opening a task list expects to see on page one. */
export const DEFAULT_TASK_LIST_SORT: TaskListSort = '-createdAt';
export const DEFAULT_TASK_LIST_LIMIT = 50;
export const MAX_TASK_LIST_LIMIT = 200;

/** Equality filters, all of which must match. The tenant is not here: it comes from the API key. */
export interface TaskListFilter {
  readonly status?: TaskStatus;
  readonly assignee?: string;
  /** Matches tasks whose labels include this one. */
  readonly label?: string;
  readonly priority?: TaskPriority;
}

/** A validated `GET /v1/tasks` request. `after` is null on the first page. */
export interface TaskListQuery {
  readonly filter: TaskListFilter;
  readonly sort: TaskListSort;
  readonly limit: number;
  readonly after: TaskListCursor | null;
}

/** What the list endpoint returns; `nextCursor` is null on the last page. */
export interface TaskListPage<Item> {
  readonly items: readonly Item[];
  readonly nextCursor: string | null;
}

const KNOWN_PARAMETERS = ['status', 'assignee', 'label', 'priority', 'sort', 'limit', 'cursor'] as const;
type Parameter = (typeof KNOWN_PARAMETERS)[number];

/**
 * Validates raw query parameters (as Express/Nest hand them over: strings, arrays for a
 * repeated parameter, objects for `a[b]=c`). Every bad or unknown parameter is reported in
 * one ValidationError, so a client fixes its request in one round trip.
 */
export function parseTaskListQuery(raw: Record<string, unknown>): TaskListQuery {
  const problems: FieldProblem[] = [];
  const report = (field: string, ...list: string[]) => problems.push({ field, problems: list });
  const given = (name: Parameter) => Object.hasOwn(raw, name) && raw[name] !== undefined;

  const single = (name: Parameter): string | undefined => {
    const value = raw[name];
    if (typeof value === 'string') return value;
    report(name, Array.isArray(value) ? 'must be given once' : 'must be a string');
    return undefined;
  };
  const oneOf = <T extends string>(name: Parameter, allowed: readonly T[]): T | undefined => {
    if (!given(name)) return undefined;
    const value = single(name);
    if (value === undefined) return undefined;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    report(name, `must be one of ${allowed.join(', ')}`);
    return undefined;
  };
  const text = (name: Parameter, max: number): string | undefined => {
    if (!given(name)) return undefined;
    const value = single(name);
    if (value === undefined) return undefined;
    // Count code points, as class-validator's Length does on the write side, so any value
    // a task can be written with can also be filtered on.
    const length = [...value].length;
    if (length >= 1 && length <= max) return value;
    report(name, `must be 1 to ${max} characters`);
    return undefined;
  };

  const status = oneOf('status', TASK_STATUSES);
  const assignee = text('assignee', 200);
  const label = text('label', 50);
  const priority = oneOf('priority', TASK_PRIORITIES);
  const sortGiven = given('sort');
  const sort = oneOf('sort', TASK_LIST_SORTS);
  const limit = parseLimit(raw['limit'], given('limit'), report);

  let after: TaskListCursor | null = null;
  if (given('cursor')) {
    // An invalid sort leaves `sort` undefined: the cursor's shape is still checked, but not
    // which sort it was made for.
    const reading = readCursor(raw['cursor'], sortGiven ? sort : DEFAULT_TASK_LIST_SORT);
    if (reading.ok) after = reading.cursor;
    else report('cursor', ...reading.problems);
  }

  for (const name of Object.keys(raw)) {
    if (!(KNOWN_PARAMETERS as readonly string[]).includes(name)) report(name, 'is not a known parameter');
  }

  if (problems.length > 0) throw new ValidationError('invalid query parameters', problems);
  return {
    filter: {
      ...(status !== undefined && { status }),
      ...(assignee !== undefined && { assignee }),
      ...(label !== undefined && { label }),
      ...(priority !== undefined && { priority }),
    },
    sort: sort ?? DEFAULT_TASK_LIST_SORT,
    limit: limit ?? DEFAULT_TASK_LIST_LIMIT,
    after,
  };
}

function parseLimit(
  value: unknown,
  given: boolean,
  report: (field: string, problem: string) => void,
): number | undefined {
  if (!given) return undefined;
  if (Array.isArray(value)) {
    report('limit', 'must be given once');
    return undefined;
  }
  // Digits only: Number() would also accept '1.5', '1e2', ' 5', '0x10' and ''. Numbers are
  // allowed for callers other than the HTTP layer.
  const n = typeof value === 'string' ? (/^[0-9]{1,4}$/.test(value) ? Number(value) : NaN) : value;
  if (typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= MAX_TASK_LIST_LIMIT) return n;
  report('limit', `must be an integer from 1 to ${MAX_TASK_LIST_LIMIT}`);
  return undefined;
}
