import { type FieldProblem, ValidationError } from '@ledger/platform/errors';
import { encodeCursor } from './cursor';
import { parseTaskListQuery } from './task-list-query';

function rejection(raw: Record<string, unknown>): FieldProblem[] {
  try {
    parseTaskListQuery(raw);
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as ValidationError).fields;
  }
  throw new Error(`${JSON.stringify(raw)} was accepted`);
}
const rejectedFields = (raw: Record<string, unknown>) => rejection(raw).map((f) => f.field);

describe('parseTaskListQuery', () => {
  it('defaults to no filter, newest first, 50 items, first page', () => {
    expect(parseTaskListQuery({})).toEqual({ filter: {}, sort: '-createdAt', limit: 50, after: null });
  });

  it('treats an undefined value as absent', () => {
    expect(parseTaskListQuery({ status: undefined, limit: undefined })).toEqual(parseTaskListQuery({}));
  });

  it('accepts every filter, sort, limit and a matching cursor', () => {
    const cursor = { sort: 'dueAt' as const, value: null, id: 't-9' };
    expect(
      parseTaskListQuery({
        status: 'in_progress',
        assignee: 'bob@example.com',
        label: 'ops',
        priority: 'urgent',
        sort: 'dueAt',
        limit: '200',
        cursor: encodeCursor(cursor),
      }),
    ).toEqual({
      filter: { status: 'in_progress', assignee: 'bob@example.com', label: 'ops', priority: 'urgent' },
      sort: 'dueAt',
      limit: 200,
      after: cursor,
    });
  });

  it.each(['todo', 'in_progress', 'done', 'archived'])('accepts status=%s', (status) => {
    expect(parseTaskListQuery({ status }).filter.status).toBe(status);
  });

  it.each(['low', 'normal', 'high', 'urgent'])('accepts priority=%s', (priority) => {
    expect(parseTaskListQuery({ priority }).filter.priority).toBe(priority);
  });

  it.each(['createdAt', '-createdAt', 'dueAt', '-updatedAt'])('accepts sort=%s', (sort) => {
    expect(parseTaskListQuery({ sort }).sort).toBe(sort);
  });

  it.each([
    ['1', 1],
    ['50', 50],
    ['200', 200],
    [7, 7],
  ] as const)('accepts limit=%j', (limit, expected) => {
    expect(parseTaskListQuery({ limit }).limit).toBe(expected);
  });

  it('accepts boundary lengths, counted in characters', () => {
    expect(parseTaskListQuery({ assignee: 'a', label: 'l' }).filter).toEqual({ assignee: 'a', label: 'l' });
    expect(
      parseTaskListQuery({ assignee: 'x'.repeat(200), label: '😀'.repeat(50) }).filter.label,
    ).toHaveLength(100);
  });

  it.each<[string, Record<string, unknown>]>([
    ['status unknown', { status: 'closed' }],
    ['status empty', { status: '' }],
    ['status wrong case', { status: 'TODO' }],
    ['status repeated', { status: ['todo', 'done'] }],
    ['status as an object', { status: { $ne: 'todo' } }],
    ['assignee empty', { assignee: '' }],
    ['assignee too long', { assignee: 'x'.repeat(201) }],
    ['assignee repeated', { assignee: ['a', 'b'] }],
    ['label empty', { label: '' }],
    ['label too long', { label: 'x'.repeat(51) }],
    ['label as a number', { label: 5 }],
    ['priority unknown', { priority: 'critical' }],
    ['sort unknown', { sort: 'title' }],
    ['sort by a valid field in the wrong direction', { sort: '-dueAt' }],
    ['sort empty', { sort: '' }],
    ['limit 0', { limit: '0' }],
    ['limit 201', { limit: '201' }],
    ['limit 10000', { limit: '10000' }],
    ['limit 1.5', { limit: '1.5' }],
    ['limit abc', { limit: 'abc' }],
    ['limit empty', { limit: '' }],
    ['limit negative', { limit: '-1' }],
    ['limit exponent', { limit: '1e2' }],
    ['limit padded', { limit: ' 5' }],
    ['limit hex', { limit: '0x10' }],
    ['limit huge', { limit: '9'.repeat(400) }],
    ['limit non-integer number', { limit: 2.5 }],
    ['limit repeated', { limit: ['5', '6'] }],
    ['cursor garbage', { cursor: 'not-a-cursor!' }],
    ['cursor empty', { cursor: '' }],
    ['cursor for another sort', { cursor: encodeCursor({ sort: 'dueAt', value: null, id: 'x' }) }],
  ])('rejects %s', (_why, raw) => {
    expect(rejectedFields(raw)).toEqual(Object.keys(raw));
  });

  it('checks a cursor against the default sort when no sort is given', () => {
    const newestFirst = encodeCursor({ sort: '-createdAt', value: '2025-01-01T00:00:00.000Z', id: 'x' });
    expect(parseTaskListQuery({ cursor: newestFirst }).after).toMatchObject({ id: 'x' });
    const oldestFirst = encodeCursor({ sort: 'createdAt', value: '2025-01-01T00:00:00.000Z', id: 'x' });
    expect(rejection({ cursor: oldestFirst })).toEqual([
      { field: 'cursor', problems: [expect.stringMatching(/sort=createdAt/)] },
    ]);
  });

  it('with an invalid sort, reports the sort and only a malformed cursor', () => {
    const wellFormed = encodeCursor({ sort: 'dueAt', value: null, id: 'x' });
    expect(rejectedFields({ sort: 'nope', cursor: wellFormed })).toEqual(['sort']);
    expect(rejectedFields({ sort: 'nope', cursor: '***' })).toEqual(['sort', 'cursor']);
  });

  it('rejects unknown parameters, including ones that differ only in case', () => {
    expect(rejection({ tenantId: 'other', Status: 'todo' })).toEqual([
      { field: 'tenantId', problems: ['is not a known parameter'] },
      { field: 'Status', problems: ['is not a known parameter'] },
    ]);
  });

  it('lists every bad field in one error, each with its problem', () => {
    const fields = rejection({
      status: 'x',
      assignee: '',
      label: 'y'.repeat(51),
      priority: 'p',
      sort: 's',
      limit: '0',
      cursor: '!',
      page: '2',
    });
    expect(fields.map((f) => f.field)).toEqual([
      'status',
      'assignee',
      'label',
      'priority',
      'sort',
      'limit',
      'cursor',
      'page',
    ]);
    for (const f of fields) expect(f.problems.length).toBeGreaterThan(0);
    expect(fields.find((f) => f.field === 'status')!.problems).toEqual([
      'must be one of todo, in_progress, done, archived',
    ]);
    expect(fields.find((f) => f.field === 'limit')!.problems).toEqual(['must be an integer from 1 to 200']);
  });
});
