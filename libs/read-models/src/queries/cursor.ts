import { ValidationError } from '@ledger/platform/errors';
import type { TaskDocument } from '../projections/tasks.projection';
import { isTaskListSort as isSort, type TaskListSort } from './task-list-sort';

/**
 * Where the previous page ended: the sort it was made for, the last item's sort value and
 * its id. The next page is every item whose (value, id) comes strictly after this pair in
 * the sort order, id breaking ties. Because the position is a key rather than an offset,
 * walking all pages neither repeats nor skips an item that existed at the start, however
 * many tasks are created meanwhile (new ones show up or not depending on where they sort).
 */
export interface TaskListCursor {
  readonly sort: TaskListSort;
  /** The sort field's value; null only for `dueAt` on a task without one (those sort last). */
  readonly value: string | null;
  readonly id: string;
}

type SortableTask = Pick<TaskDocument, 'id' | 'createdAt' | 'updatedAt' | 'dueAt'>;

/**
 * On the wire: base64url (no padding) of `{"s":sort,"v":value,"i":id}`. A null `v` is a
 * JSON null, which is how the cursor says "the last item had no dueAt": the next page then
 * continues among the dueAt-less tasks by id. Opaque to clients; they only echo it back.
 */
interface WireCursor {
  s: string;
  v: string | null;
  i: string;
}

// Generous for a timestamp plus a UUID; anything longer is not one of ours.
const MAX_ENCODED_LENGTH = 512;
const MAX_VALUE_LENGTH = 100;
const MAX_ID_LENGTH = 200;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export function encodeCursor(cursor: TaskListCursor): string {
  const wire: WireCursor = { s: cursor.sort, v: cursor.value, i: cursor.id };
  return Buffer.from(JSON.stringify(wire), 'utf8').toString('base64url');
}

/** The cursor that resumes after `last`, the final item of a page. */
export const cursorAfter = (sort: TaskListSort, last: SortableTask): string =>
  encodeCursor({ sort, value: sortValue(sort, last), id: last.id });

/** Decodes a client's cursor for `sort`; throws ValidationError on field 'cursor'. */
export function decodeCursor(raw: unknown, sort: TaskListSort): TaskListCursor {
  const result = readCursor(raw, sort);
  if (!result.ok)
    throw new ValidationError('invalid cursor', [{ field: 'cursor', problems: result.problems }]);
  return result.cursor;
}

export type CursorReading = { ok: true; cursor: TaskListCursor } | { ok: false; problems: string[] };

/**
 * Like decodeCursor, but returns the problems so a caller can report them with other fields.
 * Without `sort` (the sort parameter was itself invalid) only the cursor's shape is checked.
 */
export function readCursor(raw: unknown, sort?: TaskListSort): CursorReading {
  const fail = (problem: string): CursorReading => ({ ok: false, problems: [problem] });
  if (typeof raw !== 'string') return fail('must be a single string');
  if (raw.length === 0) return fail('must not be empty; omit it for the first page');
  if (raw.length > MAX_ENCODED_LENGTH) return fail(`must be at most ${MAX_ENCODED_LENGTH} characters`);
  // Node's base64url decoder skips characters it does not know; re-encoding catches that
  // and non-canonical trailing bits, so only a cursor we could have issued gets through.
  const bytes = Buffer.from(raw, 'base64url');
  if (!BASE64URL.test(raw) || bytes.toString('base64url') !== raw)
    return fail('is not a cursor returned by this API');

  let parsed: unknown;
  try {
    parsed = JSON.parse(strictUtf8.decode(bytes));
  } catch {
    return fail('is not a cursor returned by this API');
  }
  if (!isWireCursor(parsed)) return fail('is not a cursor returned by this API');
  if (!isSort(parsed.s)) return fail('is not a cursor returned by this API');
  if (parsed.v === null && parsed.s !== 'dueAt') return fail('is not a cursor returned by this API');
  if (sort !== undefined && parsed.s !== sort) {
    return fail(`was issued for sort=${parsed.s}; repeat that sort or start again without a cursor`);
  }
  return { ok: true, cursor: { sort: parsed.s, value: parsed.v, id: parsed.i } };
}

function isWireCursor(x: unknown): x is WireCursor {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const keys = Object.keys(x).sort();
  if (keys.length !== 3 || keys[0] !== 'i' || keys[1] !== 's' || keys[2] !== 'v') return false;
  const { s, v, i } = x as Record<string, unknown>;
  return (
    typeof s === 'string' &&
    (v === null || (typeof v === 'string' && v.length > 0 && v.length <= MAX_VALUE_LENGTH)) &&
    typeof i === 'string' &&
    i.length > 0 &&
    i.length <= MAX_ID_LENGTH
  );
}

export function sortValue(sort: TaskListSort, task: SortableTask): string | null {
  switch (sort) {
    case 'createdAt':
    case '-createdAt':
      return task.createdAt;
    case '-updatedAt':
      return task.updatedAt;
    case 'dueAt':
      return task.dueAt;
    default: {
      const _exhaustive: never = sort;
      return _exhaustive;
    }
  }
}

/**
 * The total order of a listing, which read-store adapters must reproduce in their queries:
 * by the sort value (compared as stored strings, i.e. code-unit order, as SQLite and MongoDB
 * compare them), then by id, both in the sort's direction; for `dueAt`, nulls come last.
 */
export function compareSortKeys(
  sort: TaskListSort,
  a: { value: string | null; id: string },
  b: { value: string | null; id: string },
): number {
  const direction = sort.startsWith('-') ? -1 : 1;
  if (a.value !== b.value) {
    if (a.value === null) return 1;
    if (b.value === null) return -1;
    return direction * (a.value < b.value ? -1 : 1);
  }
  return a.id === b.id ? 0 : direction * (a.id < b.id ? -1 : 1);
}

export const compareTasks =
  (sort: TaskListSort) =>
  (a: SortableTask, b: SortableTask): number =>
    compareSortKeys(sort, { value: sortValue(sort, a), id: a.id }, { value: sortValue(sort, b), id: b.id });

/** True when `task` belongs on a page that starts after `cursor`. */
export const isAfterCursor = (task: SortableTask, cursor: TaskListCursor): boolean =>
  compareSortKeys(cursor.sort, { value: sortValue(cursor.sort, task), id: task.id }, cursor) > 0;
