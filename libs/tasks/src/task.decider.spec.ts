import { NotFoundError, RuleViolation, ValidationError } from '@ledger/platform/errors';
import type { TaskCommand } from './task.commands';
import type { TaskCreated, TaskStatus, UnstampedTaskEvent } from './task.events';
import { taskDecider } from './task.decider';
import { command, given, OTHER_TENANT, stamp } from './testing/decider-spec';

const taskId = '3f0e9a52-1c1d-4c55-9a0b-5c1f3c0d7e01';
const created = (data: Partial<TaskCreated['data']> = {}): UnstampedTaskEvent => ({
  type: 'TaskCreated',
  data: {
    taskId,
    title: 'Write the spec',
    description: null,
    assignee: null,
    priority: 'normal',
    dueAt: null,
    labels: [],
    ...data,
  },
});
const started: UnstampedTaskEvent = { type: 'TaskStarted', data: { taskId } };
const completed: UnstampedTaskEvent = {
  type: 'TaskCompleted',
  data: { taskId, previousStatus: 'in_progress' },
};
const archived: UnstampedTaskEvent = { type: 'TaskArchived', data: { taskId, previousStatus: 'todo' } };

/** A history that leaves the task in each status. */
const inStatus: Record<TaskStatus, UnstampedTaskEvent[]> = {
  todo: [created()],
  in_progress: [created(), started],
  done: [created(), started, completed],
  archived: [created(), archived],
};

/** Every command that needs an existing task, valid in shape. */
const onExisting: TaskCommand[] = [
  command('ChangeTaskDetails', { taskId, changes: { title: 'New title' } }),
  command('AssignTask', { taskId, assignee: 'bob' }),
  command('UnassignTask', { taskId }),
  command('StartTask', { taskId }),
  command('CompleteTask', { taskId }),
  command('ReopenTask', { taskId }),
  command('ArchiveTask', { taskId }),
  command('AddComment', { taskId, commentId: 'c-1', body: 'Looks good' }),
];

describe('CreateTask', () => {
  it('applies the defaults when only a title is given', () => {
    given([])
      .when(command('CreateTask', { taskId, title: 'Write the spec' }))
      .then([created()]);
  });

  it('keeps every field given and dedupes labels in their first order', () => {
    given([])
      .when(
        command('CreateTask', {
          taskId,
          title: 'Ship it',
          description: 'All of it',
          assignee: 'bob',
          priority: 'urgent',
          dueAt: '2024-03-01T12:00:00Z',
          labels: ['b', 'a', 'b', 'c', 'a'],
        }),
      )
      .then([
        created({
          title: 'Ship it',
          description: 'All of it',
          assignee: 'bob',
          priority: 'urgent',
          dueAt: '2024-03-01T12:00:00Z',
          labels: ['b', 'a', 'c'],
        }),
      ]);
  });

  it('refuses a stream that already holds a task', () => {
    const error = given([created()])
      .when(command('CreateTask', { taskId, title: 'Again' }))
      .thenThrows(RuleViolation);
    expect(error.code).toBe('rule_violation');
    expect(error.message).toBe('task already exists');
  });

  it('refuses a stream that holds another tenant task too: the stream name is taken', () => {
    given([stamp(created(), { tenantId: OTHER_TENANT })])
      .when(command('CreateTask', { taskId, title: 'Mine now' }))
      .thenThrows(RuleViolation);
  });
});

describe('a task that is not yours or not there', () => {
  it.each(onExisting.map((c) => [c.type, c] as const))('%s on an empty stream is not found', (_, cmd) => {
    given([]).when(cmd).thenThrows(NotFoundError);
  });

  it.each(onExisting.map((c) => [c.type, c] as const))('%s on another tenant task is not found', (_, cmd) => {
    given([stamp(created(), { tenantId: OTHER_TENANT })])
      .when(cmd)
      .thenThrows(NotFoundError);
  });

  it('checks the tenant before any rule: another tenant archived task is not found, not archived', () => {
    given([created(), archived].map((e) => stamp(e, { tenantId: OTHER_TENANT })))
      .when(command('ArchiveTask', { taskId }))
      .thenThrows(NotFoundError);
  });
});

describe('archived is terminal', () => {
  it.each(onExisting.map((c) => [c.type, c] as const))('%s on an archived task breaks a rule', (_, cmd) => {
    const error = given(inStatus.archived).when(cmd).thenThrows(RuleViolation);
    expect(error.details).toMatchObject({ status: 'archived' });
  });
});

describe('status transitions', () => {
  const cases: [TaskCommand['type'], TaskStatus, UnstampedTaskEvent | typeof RuleViolation][] = [
    ['StartTask', 'todo', started],
    ['StartTask', 'in_progress', RuleViolation],
    ['StartTask', 'done', RuleViolation],
    ['CompleteTask', 'todo', { type: 'TaskCompleted', data: { taskId, previousStatus: 'todo' } }],
    [
      'CompleteTask',
      'in_progress',
      { type: 'TaskCompleted', data: { taskId, previousStatus: 'in_progress' } },
    ],
    ['CompleteTask', 'done', RuleViolation],
    ['ReopenTask', 'done', { type: 'TaskReopened', data: { taskId } }],
    ['ReopenTask', 'todo', RuleViolation],
    ['ReopenTask', 'in_progress', RuleViolation],
    ['ArchiveTask', 'todo', { type: 'TaskArchived', data: { taskId, previousStatus: 'todo' } }],
    ['ArchiveTask', 'in_progress', { type: 'TaskArchived', data: { taskId, previousStatus: 'in_progress' } }],
    ['ArchiveTask', 'done', { type: 'TaskArchived', data: { taskId, previousStatus: 'done' } }],
  ];

  it.each(cases)('%s from %s', (type, status, outcome) => {
    const when = given(inStatus[status]).when(command(type, { taskId } as never));
    if (outcome === RuleViolation) {
      expect(when.thenThrows(RuleViolation).details).toMatchObject({ status });
    } else {
      when.then([outcome as UnstampedTaskEvent]);
    }
  });
});

describe('assignment', () => {
  it('assigns an unassigned task', () => {
    given([created()])
      .when(command('AssignTask', { taskId, assignee: 'bob' }))
      .then([{ type: 'TaskAssigned', data: { taskId, assignee: 'bob' } }]);
  });

  it('reassigns to someone else', () => {
    given([created({ assignee: 'bob' })])
      .when(command('AssignTask', { taskId, assignee: 'carol' }))
      .then([{ type: 'TaskAssigned', data: { taskId, assignee: 'carol' } }]);
  });

  it('appends nothing when assigning the current assignee', () => {
    given([created({ assignee: 'bob' })])
      .when(command('AssignTask', { taskId, assignee: 'bob' }))
      .then([]);
  });

  it('unassigns and remembers who it was', () => {
    given([created({ assignee: 'bob' })])
      .when(command('UnassignTask', { taskId }))
      .then([{ type: 'TaskUnassigned', data: { taskId, previousAssignee: 'bob' } }]);
  });

  it('appends nothing when unassigning an unassigned task', () => {
    given([created()]).when(command('UnassignTask', { taskId })).then([]);
  });
});

describe('ChangeTaskDetails', () => {
  const current = created({
    title: 'Old',
    description: 'Text',
    priority: 'high',
    dueAt: '2024-05-01T00:00:00Z',
    labels: ['a', 'b'],
  });
  const change = (changes: object) => command('ChangeTaskDetails', { taskId, changes });

  it('emits only the fields that differ', () => {
    given([current])
      .when(change({ title: 'New', description: 'Text', priority: 'low', labels: ['a', 'b'] }))
      .then([{ type: 'TaskDetailsChanged', data: { taskId, changes: { title: 'New', priority: 'low' } } }]);
  });

  it('appends nothing when every given field equals the current value', () => {
    given([current])
      .when(
        change({
          title: 'Old',
          description: 'Text',
          priority: 'high',
          dueAt: '2024-05-01T00:00:00Z',
          labels: ['a', 'b'],
        }),
      )
      .then([]);
  });

  it('clears description and dueAt with null', () => {
    given([current])
      .when(change({ description: null, dueAt: null }))
      .then([{ type: 'TaskDetailsChanged', data: { taskId, changes: { description: null, dueAt: null } } }]);
  });

  it('appends nothing when clearing what is already empty', () => {
    given([created()])
      .when(change({ description: null, dueAt: null, labels: [] }))
      .then([]);
  });

  it('compares labels after dedupe: duplicates of the current labels change nothing', () => {
    given([current])
      .when(change({ labels: ['a', 'a', 'b'] }))
      .then([]);
  });

  it('treats a new label order as a change and emits deduped labels', () => {
    given([current])
      .when(change({ labels: ['b', 'a', 'b'] }))
      .then([{ type: 'TaskDetailsChanged', data: { taskId, changes: { labels: ['b', 'a'] } } }]);
  });

  it('rejects a change with no fields at all', () => {
    const error = given([current]).when(change({})).thenThrows(ValidationError);
    expect(error.fields).toEqual([{ field: 'changes', problems: ['at least one field must be given'] }]);
  });

  it('counts undefined fields as not given', () => {
    given([current])
      .when(change({ title: undefined }))
      .thenThrows(ValidationError);
  });
});

describe('AddComment', () => {
  it.each(['todo', 'in_progress', 'done'] as const)('comments on a task in %s', (status) => {
    given(inStatus[status])
      .when(command('AddComment', { taskId, commentId: 'c-9', body: 'Noted' }))
      .then([{ type: 'CommentAdded', data: { taskId, commentId: 'c-9', body: 'Noted' } }]);
  });
});

describe('taskDecider', () => {
  it('bundles the same functions, so either form folds and decides alike', () => {
    const state = taskDecider.evolve(taskDecider.initialState, stamp(created()));
    expect(taskDecider.decide(command('StartTask', { taskId }), state)).toEqual([started]);
  });
});
