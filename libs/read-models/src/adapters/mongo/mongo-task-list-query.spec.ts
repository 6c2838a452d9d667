import { TASKS_STORAGE } from '../../core/document-storage';
import {
  parseTaskListQuery,
  TASK_LIST_SORTS,
  type TaskListFilter,
  type TaskListQuery,
} from '../../queries/task-list-query';
import { documentIndexes } from './mongo-document-layout';
import { taskHistoryFind, taskListFind } from './mongo-task-list-query';

const query = (over: Partial<TaskListQuery> = {}): TaskListQuery => ({ ...parseTaskListQuery({}), ...over });
const FILTERS: TaskListFilter[] = [
  {},
  { status: 'done' },
  { assignee: 'ann' },
  { priority: 'high' },
  { label: 'red' },
  { status: 'todo', assignee: 'bob' },
  { label: 'blue', priority: 'low' },
  { label: 'green', status: 'in_progress', assignee: 'ann', priority: 'urgent' },
];
const indexKeys = documentIndexes(TASKS_STORAGE).map((i) => JSON.stringify(Object.entries(i.key)));

describe('taskListFind', () => {
  it.each(TASK_LIST_SORTS)(
    'hints an index that exists and yields every filter in %s order without sorting',
    (sort) => {
      for (const filter of FILTERS) {
        for (const after of [
          null,
          { sort, value: sort === 'dueAt' ? null : '2030-01-01T00:00:00.000Z', id: 'x' },
        ]) {
          const find = taskListFind(TASKS_STORAGE, 't1', query({ filter, sort, after }));
          const hint = Object.keys(find.hint);
          // The hinted key pattern is exactly one the store creates...
          expect(indexKeys).toContain(JSON.stringify(Object.entries(find.hint)));
          // ...its fields before the sort field are all equalities of this find, so the index
          // range comes out in (sort field, _id) order and the sort is the index walked one way.
          const sortFields = Object.keys(find.sort);
          expect(hint.slice(-2)).toEqual(sortFields);
          for (const f of hint.slice(0, -2))
            expect(typeof (find.filter as Record<string, unknown>)[f]).toBe('string');
          expect(new Set(Object.values(find.sort))).toEqual(new Set([sort.startsWith('-') ? -1 : 1]));
        }
      }
    },
  );

  it('filters by tenant and every given filter, on the stored paths', () => {
    const find = taskListFind(
      TASKS_STORAGE,
      't1',
      query({ filter: { label: 'red', status: 'todo', assignee: 'ann', priority: 'high' } }),
    );
    expect(find.filter).toEqual({
      tenantId: 't1',
      'doc.labels': 'red',
      'doc.assignee': 'ann',
      'doc.status': 'todo',
      'doc.priority': 'high',
    });
    expect(find.hint).toEqual({ tenantId: 1, 'doc.labels': 1, 'doc.createdAt': 1, _id: 1 });
  });

  it('drives by the assignee when there is no label', () => {
    const find = taskListFind(
      TASKS_STORAGE,
      't1',
      query({ filter: { status: 'todo', assignee: 'ann' }, sort: 'dueAt' }),
    );
    expect(find.hint).toEqual({ tenantId: 1, 'doc.assignee': 1, 'k.dueAt': 1, _id: 1 });
  });

  it('fetches one more than the page', () => {
    expect(taskListFind(TASKS_STORAGE, 't1', query({ limit: 7 })).limit).toBe(8);
  });

  it('continues ascending after (value, id): a range on the sort field, ties settled by _id', () => {
    const after = { sort: 'createdAt' as const, value: '2030-01-01T00:00:00.000Z', id: 'task-9' };
    expect(taskListFind(TASKS_STORAGE, 't1', query({ sort: 'createdAt', after })).filter).toEqual({
      tenantId: 't1',
      'doc.createdAt': { $gte: after.value },
      $or: [{ 'doc.createdAt': { $gt: after.value } }, { _id: { $gt: 'task-9' } }],
    });
  });

  it('continues descending with the bounds reversed', () => {
    const after = { sort: '-updatedAt' as const, value: '2030-01-01T00:00:00.000Z', id: 'task-9' };
    const find = taskListFind(TASKS_STORAGE, 't1', query({ sort: '-updatedAt', after }));
    expect(find.sort).toEqual({ 'doc.updatedAt': -1, _id: -1 });
    expect(find.filter).toEqual({
      tenantId: 't1',
      'doc.updatedAt': { $lte: after.value },
      $or: [{ 'doc.updatedAt': { $lt: after.value } }, { _id: { $lt: 'task-9' } }],
    });
  });

  it("continues among undated tasks after a cursor whose dueAt is null, comparing the '~' they are sorted by", () => {
    const find = taskListFind(
      TASKS_STORAGE,
      't1',
      query({ sort: 'dueAt', after: { sort: 'dueAt', value: null, id: 'task-3' } }),
    );
    expect(find.sort).toEqual({ 'k.dueAt': 1, _id: 1 });
    expect(find.filter).toEqual({
      tenantId: 't1',
      'k.dueAt': { $gte: '~' },
      $or: [{ 'k.dueAt': { $gt: '~' } }, { _id: { $gt: 'task-3' } }],
    });
  });
});

describe('taskHistoryFind', () => {
  it("reads one task's entries as an id range of its tenant, in id (= revision) order", () => {
    expect(taskHistoryFind('t1', 'abc')).toEqual({
      filter: { tenantId: 't1', _id: { $gt: 'abc:', $lt: 'abc;' } },
      sort: { _id: 1 },
      hint: { tenantId: 1, _id: 1 },
    });
  });
});
