import type { TaskEvent, TaskStatus, UnstampedTaskEvent } from './task.events';
import { evolve, initialState } from './task.decider';
import type { ExistingTask, TaskState } from './task.state';
import { fold, stamp, T0, TENANT } from './testing/decider-spec';

const taskId = '3f0e9a52-1c1d-4c55-9a0b-5c1f3c0d7e02';
const T1 = '2024-01-02T00:00:00.000Z';
const created: UnstampedTaskEvent = {
  type: 'TaskCreated',
  data: {
    taskId,
    title: 'Fold me',
    description: 'Body',
    assignee: 'bob',
    priority: 'high',
    dueAt: '2024-02-01T00:00:00Z',
    labels: ['a', 'b'],
  },
};
const createdState: ExistingTask = {
  exists: true,
  tenantId: TENANT,
  taskId,
  title: 'Fold me',
  description: 'Body',
  status: 'todo',
  assignee: 'bob',
  priority: 'high',
  dueAt: '2024-02-01T00:00:00Z',
  labels: ['a', 'b'],
  commentCount: 0,
  createdAt: T0,
  updatedAt: T0,
};

/** Applies one event, stamped at T1, to the state a history leaves. */
const after = (history: UnstampedTaskEvent[], event: UnstampedTaskEvent): TaskState =>
  evolve(fold(history), stamp(event, { occurredAt: T1 }));

describe('evolve', () => {
  it('starts from a task that does not exist', () => {
    expect(initialState).toEqual({ exists: false });
  });

  it('TaskCreated makes a todo task with the tenant and time of its metadata', () => {
    expect(fold([created])).toEqual(createdState);
  });

  // One row per status-changing event, each from a state where it is legal. Two events that set
  // the same status (a copy-paste bug) fail here, because every row expects a different one.
  const transitions: [string, UnstampedTaskEvent[], UnstampedTaskEvent, TaskStatus][] = [
    ['TaskStarted', [created], { type: 'TaskStarted', data: { taskId } }, 'in_progress'],
    ['TaskCompleted', [created], { type: 'TaskCompleted', data: { taskId, previousStatus: 'todo' } }, 'done'],
    [
      'TaskReopened',
      [created, { type: 'TaskCompleted', data: { taskId, previousStatus: 'todo' } }],
      { type: 'TaskReopened', data: { taskId } },
      'todo',
    ],
    [
      'TaskArchived',
      [created],
      { type: 'TaskArchived', data: { taskId, previousStatus: 'todo' } },
      'archived',
    ],
  ];

  it.each(transitions)('%s sets its own status and touches updatedAt only', (_, history, event, status) => {
    const before = fold(history) as ExistingTask;
    expect(before.status).not.toBe(status);
    expect(after(history, event)).toEqual({ ...before, status, updatedAt: T1 });
  });

  it('no two status events land on the same status', () => {
    const statuses = transitions.map(([, history, event]) => (after(history, event) as ExistingTask).status);
    expect(new Set(statuses).size).toBe(transitions.length);
  });

  it('TaskAssigned sets the assignee', () => {
    expect(after([created], { type: 'TaskAssigned', data: { taskId, assignee: 'carol' } })).toEqual({
      ...createdState,
      assignee: 'carol',
      updatedAt: T1,
    });
  });

  it('TaskUnassigned clears the assignee', () => {
    expect(after([created], { type: 'TaskUnassigned', data: { taskId, previousAssignee: 'bob' } })).toEqual({
      ...createdState,
      assignee: null,
      updatedAt: T1,
    });
  });

  it('TaskDetailsChanged sets only the fields present, null clearing', () => {
    const changed: UnstampedTaskEvent = {
      type: 'TaskDetailsChanged',
      data: { taskId, changes: { title: 'Renamed', description: null, dueAt: null, labels: ['c'] } },
    };
    expect(after([created], changed)).toEqual({
      ...createdState,
      title: 'Renamed',
      description: null,
      dueAt: null,
      labels: ['c'],
      updatedAt: T1,
    });
  });

  it('TaskDetailsChanged changes priority alone', () => {
    const changed: UnstampedTaskEvent = {
      type: 'TaskDetailsChanged',
      data: { taskId, changes: { priority: 'low' } },
    };
    expect(after([created], changed)).toEqual({ ...createdState, priority: 'low', updatedAt: T1 });
  });

  it('TaskDetailsChanged ignores keys a stored event should not carry', () => {
    const changes = { status: 'done', title: 'Renamed' } as never;
    expect(after([created], { type: 'TaskDetailsChanged', data: { taskId, changes } })).toEqual({
      ...createdState,
      title: 'Renamed',
      updatedAt: T1,
    });
  });

  it('CommentAdded counts comments and nothing else', () => {
    const comment = (commentId: string): UnstampedTaskEvent => ({
      type: 'CommentAdded',
      data: { taskId, commentId, body: 'Hi' },
    });
    expect(after([created, comment('c-1')], comment('c-2'))).toEqual({
      ...createdState,
      commentCount: 2,
      updatedAt: T1,
    });
  });

  it('keeps createdAt and moves updatedAt to the latest event', () => {
    const T2 = '2024-01-03T00:00:00.000Z';
    const state = [
      stamp(created),
      stamp({ type: 'TaskStarted', data: { taskId } }, { occurredAt: T1 }),
      stamp({ type: 'TaskAssigned', data: { taskId, assignee: 'dan' } }, { occurredAt: T2 }),
    ].reduce(evolve, initialState);
    expect(state).toMatchObject({ createdAt: T0, updatedAt: T2 });
  });

  it('does not share the labels array with the event', () => {
    const event = stamp(created);
    const state = evolve(initialState, event) as ExistingTask;
    expect(state.labels).toEqual(event.data.labels);
    expect(state.labels).not.toBe(event.data.labels);
  });

  it('refuses an event that arrives before TaskCreated: the stream is corrupt', () => {
    expect(() => evolve(initialState, stamp({ type: 'TaskStarted', data: { taskId } }))).toThrow(
      /TaskStarted .* before its TaskCreated/,
    );
  });

  it('refuses a second TaskCreated', () => {
    const twice: TaskEvent[] = [stamp(created), stamp(created)];
    expect(() => twice.reduce(evolve, initialState)).toThrow(/created twice/);
  });
});
