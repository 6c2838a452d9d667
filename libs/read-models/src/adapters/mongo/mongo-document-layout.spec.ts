import { PLAIN_STORAGE, TASKS_STORAGE, type DocumentStorage } from '../../core/document-storage';
import {
  documentCollection,
  documentIndexes,
  fieldPath,
  fromRecord,
  isTargetName,
  sortKeys,
  slug,
  targetName,
  targetOfCollection,
  toRecord,
} from './mongo-document-layout';

const task = {
  id: 't1',
  tenantId: 'acme',
  status: 'todo',
  assignee: null,
  dueAt: null,
  labels: ['red'],
  createdAt: 'c',
  updatedAt: 'u',
};

describe('target and collection names', () => {
  it('derives target names like the SQLite adapter and maps them to collections and back', () => {
    expect(slug('Task-History')).toBe('task_history');
    expect(slug('---')).toBe('p');
    expect(targetName('task-history', 12)).toBe('task_history_g12');
    expect(documentCollection('tasks_g3')).toBe('doc__tasks_g3');
    expect(targetOfCollection('doc__tasks_g3')).toBe('tasks_g3');
    expect(targetOfCollection('projection_state')).toBeUndefined();
    expect(targetOfCollection('doc__')).toBeUndefined();
  });

  it('accepts only names that are safe as a field path of the state document', () => {
    expect(isTargetName('tasks_g3')).toBe(true);
    for (const bad of ['', 'a.b', '$where', 'Tasks', 'x'.repeat(121)]) expect(isTargetName(bad)).toBe(false);
  });
});

describe('stored documents', () => {
  it('keeps the document whole under `doc`, with the guard key and the opaque position beside it', () => {
    const record = toRecord(TASKS_STORAGE, 't1', task, '42', '00000000000000000042');
    expect(record).toEqual({
      tenantId: 'acme',
      _position: '00000000000000000042',
      _eventPosition: '42',
      doc: task,
      k: { dueAt: '~' },
    });
    expect(fromRecord({ _id: 't1', ...record })).toEqual({
      id: 't1',
      doc: task,
      position: '42',
      positionKey: '00000000000000000042',
    });
  });

  it('stores the due date itself as its sort key when there is one, and no `k` for plain storage', () => {
    expect(sortKeys(TASKS_STORAGE, { ...task, dueAt: '2030-01-01T00:00:00.000Z' })).toEqual({
      dueAt: '2030-01-01T00:00:00.000Z',
    });
    expect(toRecord(PLAIN_STORAGE, 's', { tenantId: 'acme', n: 1 }, '1', 'k1')).not.toHaveProperty('k');
  });

  it('filters and sorts on the document, except where a null needs its stand-in', () => {
    expect(fieldPath(TASKS_STORAGE, 'status')).toBe('doc.status');
    expect(fieldPath(TASKS_STORAGE, 'dueAt')).toBe('k.dueAt');
    expect(() => fieldPath(TASKS_STORAGE, 'title')).toThrow(/unknown field "title"/);
  });
});

describe('documentIndexes', () => {
  it('indexes every target by (tenantId, _id)', () => {
    expect(documentIndexes(PLAIN_STORAGE)).toEqual([{ name: 'tenantId__id', key: { tenantId: 1, _id: 1 } }]);
  });

  it('gives the tasks list one index per sort and per filter + sort, each tenant-first and _id-last', () => {
    const keys = documentIndexes(TASKS_STORAGE).map((i) => Object.keys(i.key));
    expect(keys).toContainEqual(['tenantId', 'doc.createdAt', '_id']);
    expect(keys).toContainEqual(['tenantId', 'k.dueAt', '_id']);
    expect(keys).toContainEqual(['tenantId', 'doc.status', 'doc.updatedAt', '_id']);
    expect(keys).toContainEqual(['tenantId', 'doc.assignee', 'k.dueAt', '_id']);
    expect(keys).toContainEqual(['tenantId', 'doc.priority', 'doc.createdAt', '_id']);
    expect(keys).toContainEqual(['tenantId', 'doc.labels', 'doc.createdAt', '_id']);
    expect(keys).toContainEqual(['tenantId', 'doc.labels', 'k.dueAt', '_id']);
    // 1 + 3 sorts + 3 filters x 3 sorts + 3 label sorts
    expect(keys).toHaveLength(16);
    for (const k of keys) expect([k[0], k[k.length - 1]]).toEqual(['tenantId', '_id']);
  });

  it('names indexes after their key paths, uniquely, and ascending throughout (a descending sort walks one backwards)', () => {
    const indexes = documentIndexes(TASKS_STORAGE);
    expect(indexes.map((i) => i.name)).toContain('tenantId_doc.labels_k.dueAt__id');
    expect(new Set(indexes.map((i) => i.name)).size).toBe(indexes.length);
    for (const i of indexes) expect(new Set(Object.values(i.key))).toEqual(new Set([1]));
  });

  it('refuses a storage declaration that indexes an undeclared field', () => {
    const broken: DocumentStorage = { fields: {}, indexes: [['status']], arrays: {} };
    expect(() => documentIndexes(broken)).toThrow(/unknown field "status"/);
  });
});
