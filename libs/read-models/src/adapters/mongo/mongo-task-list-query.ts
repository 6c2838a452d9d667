import type { Filter } from 'mongodb';
import type { DocumentStorage } from '../../core/document-storage';
import type { TaskListQuery, TaskListSort } from '../../queries/task-list-query';
import { arrayPath, fieldPath, type StoredDocumentRecord } from './mongo-document-layout';

export interface TaskListFind {
  readonly filter: Filter<StoredDocumentRecord>;
  readonly sort: Readonly<Record<string, 1 | -1>>;
  /** The exact key pattern of one of `documentIndexes(storage)`. */
  readonly hint: Readonly<Record<string, 1>>;
  /** One more than the page, to learn whether a next page exists. */
  readonly limit: number;
}

const SORT_FIELD: Readonly<Record<TaskListSort, 'createdAt' | 'dueAt' | 'updatedAt'>> = {
  createdAt: 'createdAt',
  '-createdAt': 'createdAt',
  dueAt: 'dueAt',
  '-updatedAt': 'updatedAt',
};

/**
 * Which equality filter drives the index range when several are given: a label (its multikey
 * index), then the assignee (many values, so usually the narrowest), then status and priority
 * (four values each). The others are checked on the documents that range yields.
 */
const DRIVING_FILTERS = ['assignee', 'status', 'priority'] as const;

/**
 * The find of one page of `GET /v1/tasks`, over the layout and indexes of mongo-document-layout:
 * - equality on tenantId and every given filter, sort on (sort field, _id) in the sort's direction;
 * - the keyset condition "(value, _id) after the cursor" is written as a range on the sort field
 *   (`$gte`/`$lte` value, which becomes the index bound) plus an `$or` that settles ties on
 *   `_id`; both fields are in the index, so the `$or` is checked on index keys;
 * - a `hint` pins the one index whose prefix is (tenantId, driving filter, sort field, _id):
 *   with an `$or` in the filter the planner may otherwise weigh plans that sort in memory.
 * The index then yields documents already in order: no blocking sort, no scan of the tenant.
 */
export function taskListFind(storage: DocumentStorage, tenantId: string, query: TaskListQuery): TaskListFind {
  const sortField = SORT_FIELD[query.sort];
  const sortPath = fieldPath(storage, sortField);
  const direction = query.sort.startsWith('-') ? -1 : 1;
  const { filter: wanted } = query;

  const filter: Record<string, unknown> = { tenantId };
  if (wanted.label !== undefined) filter[arrayPath(storage, 'labels')] = wanted.label;
  for (const name of DRIVING_FILTERS) {
    const value = wanted[name];
    if (value !== undefined) filter[fieldPath(storage, name)] = value;
  }

  const driver =
    wanted.label !== undefined
      ? arrayPath(storage, 'labels')
      : DRIVING_FILTERS.filter((f) => wanted[f] !== undefined).map((f) => fieldPath(storage, f))[0];
  const hint: Record<string, 1> = { tenantId: 1, ...(driver ? { [driver]: 1 } : {}), [sortPath]: 1, _id: 1 };

  if (query.after) {
    // A cursor's null value (no dueAt) is compared as the stand-in the documents are sorted by.
    const value = query.after.value ?? storage.fields[sortField]?.nullAs ?? null;
    const [bound, strictly] = direction === 1 ? ['$gte', '$gt'] : ['$lte', '$lt'];
    filter[sortPath] = { [bound]: value };
    filter['$or'] = [{ [sortPath]: { [strictly]: value } }, { _id: { [strictly]: query.after.id } }];
  }

  return {
    filter: filter as Filter<StoredDocumentRecord>,
    sort: { [sortPath]: direction, _id: direction },
    hint,
    limit: query.limit + 1,
  };
}

/** A task's history: ids are `${taskId}:${revision padded}`, so an id range in id order is revision order. */
export function taskHistoryFind(
  tenantId: string,
  taskId: string,
): Pick<TaskListFind, 'filter' | 'sort' | 'hint'> {
  return {
    filter: { tenantId, _id: { $gt: `${taskId}:`, $lt: `${taskId};` } },
    sort: { _id: 1 },
    hint: { tenantId: 1, _id: 1 },
  };
}
