import { ValidationError } from '@ledger/platform/errors';
import type { UnstampedTaskEvent } from './task.events';
import { isIsoDateTime, TASK_LIMITS } from './task.validation';
import { command, given } from './testing/decider-spec';

const taskId = '3f0e9a52-1c1d-4c55-9a0b-5c1f3c0d7e03';
const created: UnstampedTaskEvent = {
  type: 'TaskCreated',
  data: {
    taskId,
    title: 'T',
    description: null,
    assignee: null,
    priority: 'normal',
    dueAt: null,
    labels: [],
  },
};
const create = (data: object) => command('CreateTask', { taskId, title: 'Valid', ...data });
const change = (changes: object) => command('ChangeTaskDetails', { taskId, changes });

/** The field names a ValidationError reports for a command on a fresh or existing task. */
const badFields = (cmd: ReturnType<typeof create> | ReturnType<typeof change>): string[] =>
  given(cmd.type === 'CreateTask' ? [] : [created])
    .when(cmd)
    .thenThrows(ValidationError)
    .fields.map((f) => f.field);

describe('defensive validation in decide', () => {
  it.each([
    ['a blank title', { title: '   ' }, 'title'],
    ['a missing title', { title: undefined }, 'title'],
    ['a title over 200 characters', { title: 'x'.repeat(TASK_LIMITS.titleMax + 1) }, 'title'],
    [
      'a description over 10000 characters',
      { description: 'x'.repeat(TASK_LIMITS.descriptionMax + 1) },
      'description',
    ],
    ['a priority outside the enum', { priority: 'critical' }, 'priority'],
    ['more than 20 labels', { labels: Array.from({ length: 21 }, (_, i) => `l${i}`) }, 'labels'],
    ['a label over 50 characters', { labels: ['ok', 'x'.repeat(TASK_LIMITS.labelMax + 1)] }, 'labels'],
    ['an empty label', { labels: [''] }, 'labels'],
    ['labels that are not an array', { labels: 'a,b' }, 'labels'],
    ['a dueAt that is not a date', { dueAt: 'tomorrow' }, 'dueAt'],
    ['a blank assignee', { assignee: ' ' }, 'assignee'],
  ])('CreateTask rejects %s', (_, data, field) => {
    expect(badFields(create(data))).toEqual([field]);
  });

  it('accepts the limits themselves', () => {
    given([])
      .when(
        create({
          title: 'x'.repeat(TASK_LIMITS.titleMax),
          description: 'x'.repeat(TASK_LIMITS.descriptionMax),
          labels: Array.from({ length: 20 }, (_, i) => `${i}`.padEnd(TASK_LIMITS.labelMax, 'x')),
        }),
      )
      .then([expect.objectContaining({ type: 'TaskCreated' }) as UnstampedTaskEvent]);
  });

  it('reports every bad field at once', () => {
    const error = given([])
      .when(create({ title: '', priority: 9, dueAt: '2024-13-01T00:00:00Z' }))
      .thenThrows(ValidationError);
    expect(error.fields).toEqual([
      { field: 'title', problems: ['must not be blank'] },
      { field: 'priority', problems: ['must be one of low, normal, high, urgent'] },
      { field: 'dueAt', problems: ['must be an ISO 8601 date-time with an offset'] },
    ]);
  });

  it.each([
    ['a blank title', { title: '' }, 'title'],
    ['a long description', { description: 'x'.repeat(10_001) }, 'description'],
    ['a bad priority', { priority: 'meh' }, 'priority'],
    ['a bad dueAt', { dueAt: '2024-02-30T00:00:00Z' }, 'dueAt'],
    ['null labels', { labels: null }, 'labels'],
    ['a field that cannot change', { status: 'done' }, 'status'],
  ])('ChangeTaskDetails rejects %s', (_, changes, field) => {
    expect(badFields(change(changes))).toEqual([field]);
  });

  it('ChangeTaskDetails without a changes object is invalid, not a crash', () => {
    given([created])
      .when(command('ChangeTaskDetails', { taskId } as never))
      .thenThrows(ValidationError);
  });

  it.each([
    ['an empty body', ''],
    ['a blank body', ' \n '],
    ['a body over 5000 characters', 'x'.repeat(TASK_LIMITS.commentMax + 1)],
  ])('AddComment rejects %s', (_, body) => {
    const error = given([created])
      .when(command('AddComment', { taskId, commentId: 'c-1', body }))
      .thenThrows(ValidationError);
    expect(error.fields.map((f) => f.field)).toEqual(['body']);
  });

  it('AssignTask rejects a blank assignee', () => {
    given([created])
      .when(command('AssignTask', { taskId, assignee: '' }))
      .thenThrows(ValidationError);
  });
});

describe('isIsoDateTime', () => {
  it.each([
    '2024-02-29T10:00:00Z',
    '2024-01-01T10:00Z',
    '2024-01-01T10:00:00.123+02:00',
    '2024-12-31T23:59:59.999999-05:30',
  ])('accepts %s', (value) => {
    expect(isIsoDateTime(value)).toBe(true);
  });

  it.each([
    ['a date alone', '2024-01-01'],
    ['no offset', '2024-01-01T10:00:00'],
    ['an impossible day', '2023-02-29T10:00:00Z'],
    ['month 13', '2024-13-01T10:00:00Z'],
    ['hour 24', '2024-01-01T24:00:00Z'],
    ['a space instead of T', '2024-01-01 10:00:00Z'],
    ['words', 'next friday'],
  ])('rejects %s', (_, value) => {
    expect(isIsoDateTime(value)).toBe(false);
  });
});
