import { TASK_EVENT_TYPES } from '@ledger/tasks/task.events';
import type { ProjectedEvent } from '@ledger/projections/core/projection';
import { projectedEvent, taskCreatedData } from './testing/projected-event';
import { type TaskDocument, tasksProjection } from './tasks.projection';

const taskId = 'task-1';
const created = projectedEvent(
  'TaskCreated',
  taskCreatedData(taskId, {
    title: 'Ship it',
    description: 'all of it',
    assignee: 'bob',
    priority: 'high',
    dueAt: '2025-02-01T00:00:00.000Z',
    labels: ['ops', 'q1'],
  }),
  { revision: 0, tenantId: 'tenant-b', occurredAt: '2025-01-01T10:00:00.000Z' },
);

const fold = (events: ProjectedEvent[], from: TaskDocument | null = null): TaskDocument | null =>
  events.reduce<TaskDocument | null>((doc, e) => tasksProjection.evolve(doc, e), from);

const createdDoc = (): TaskDocument => fold([created])!;

/** Applies one event at revision 1 on top of the created task. */
const after = (event: ProjectedEvent): TaskDocument => tasksProjection.evolve(createdDoc(), event)!;
const at1 = { revision: 1, tenantId: 'tenant-b', occurredAt: '2025-01-02T09:30:00.000Z' };

describe('tasksProjection', () => {
  it('is named, versioned and handles every task event', () => {
    expect(tasksProjection.name).toBe('tasks');
    expect(tasksProjection.version).toBe(1);
    expect([...tasksProjection.handles].sort()).toEqual([...TASK_EVENT_TYPES].sort());
  });

  it('keys the document by task id', () => {
    expect(tasksProjection.documentId(created)).toBe(taskId);
    expect(tasksProjection.documentId(projectedEvent('TaskStarted', { taskId: 'other' }))).toBe('other');
  });

  it('TaskCreated makes a todo document with the tenant, every field and revision 0', () => {
    expect(createdDoc()).toEqual({
      id: taskId,
      tenantId: 'tenant-b',
      title: 'Ship it',
      description: 'all of it',
      status: 'todo',
      assignee: 'bob',
      priority: 'high',
      dueAt: '2025-02-01T00:00:00.000Z',
      labels: ['ops', 'q1'],
      commentCount: 0,
      createdAt: '2025-01-01T10:00:00.000Z',
      updatedAt: '2025-01-01T10:00:00.000Z',
      revision: 0,
    });
  });

  it('TaskCreated keeps null defaults for the optional fields', () => {
    const doc = tasksProjection.evolve(null, projectedEvent('TaskCreated', taskCreatedData(taskId)))!;
    expect(doc).toMatchObject({
      description: null,
      assignee: null,
      dueAt: null,
      labels: [],
      priority: 'normal',
    });
  });

  it('TaskDetailsChanged applies present fields, clears nulls and leaves absent ones alone', () => {
    const doc = after(
      projectedEvent(
        'TaskDetailsChanged',
        { taskId, changes: { title: 'Renamed', dueAt: null, labels: [] } },
        at1,
      ),
    );
    expect(doc).toEqual({
      ...createdDoc(),
      title: 'Renamed',
      dueAt: null,
      labels: [],
      updatedAt: at1.occurredAt,
      revision: 1,
    });
    const other = after(
      projectedEvent('TaskDetailsChanged', { taskId, changes: { description: null, priority: 'low' } }, at1),
    );
    expect(other).toMatchObject({
      title: 'Ship it',
      description: null,
      priority: 'low',
      labels: ['ops', 'q1'],
    });
  });

  it('TaskAssigned sets the assignee', () => {
    expect(after(projectedEvent('TaskAssigned', { taskId, assignee: 'carol' }, at1)).assignee).toBe('carol');
  });

  it('TaskUnassigned clears the assignee', () => {
    expect(
      after(projectedEvent('TaskUnassigned', { taskId, previousAssignee: 'bob' }, at1)).assignee,
    ).toBeNull();
  });

  it('TaskStarted sets in_progress', () => {
    expect(after(projectedEvent('TaskStarted', { taskId }, at1)).status).toBe('in_progress');
  });

  it('TaskCompleted sets done', () => {
    expect(after(projectedEvent('TaskCompleted', { taskId, previousStatus: 'todo' }, at1)).status).toBe(
      'done',
    );
  });

  it('TaskReopened sets todo', () => {
    const done = after(projectedEvent('TaskCompleted', { taskId, previousStatus: 'todo' }, at1));
    const reopened = tasksProjection.evolve(
      done,
      projectedEvent('TaskReopened', { taskId }, { ...at1, revision: 2 }),
    )!;
    expect(reopened.status).toBe('todo');
  });

  it('TaskArchived sets archived and keeps the document', () => {
    const doc = after(projectedEvent('TaskArchived', { taskId, previousStatus: 'todo' }, at1));
    expect(doc).toEqual({ ...createdDoc(), status: 'archived', updatedAt: at1.occurredAt, revision: 1 });
  });

  it('CommentAdded counts comments and changes nothing else', () => {
    const one = after(projectedEvent('CommentAdded', { taskId, commentId: 'c1', body: 'hi' }, at1));
    const two = tasksProjection.evolve(
      one,
      projectedEvent('CommentAdded', { taskId, commentId: 'c2', body: 'again' }, { ...at1, revision: 2 }),
    )!;
    expect(one).toEqual({ ...createdDoc(), commentCount: 1, updatedAt: at1.occurredAt, revision: 1 });
    expect(two.commentCount).toBe(2);
  });

  it('tracks revision and updatedAt from the last event; createdAt stays', () => {
    const doc = fold([
      created,
      projectedEvent('TaskStarted', { taskId }, { revision: 1, tenantId: 'tenant-b' }),
      projectedEvent(
        'TaskAssigned',
        { taskId, assignee: 'x' },
        { revision: 2, tenantId: 'tenant-b', occurredAt: '2025-03-03T00:00:00.000Z' },
      ),
    ])!;
    expect(doc).toMatchObject({
      revision: 2,
      createdAt: '2025-01-01T10:00:00.000Z',
      updatedAt: '2025-03-03T00:00:00.000Z',
    });
  });

  it('is idempotent: applying the same event twice gives the same document', () => {
    const comment = projectedEvent('CommentAdded', { taskId, commentId: 'c1', body: 'hi' }, at1);
    const once = tasksProjection.evolve(createdDoc(), comment);
    expect(tasksProjection.evolve(once, comment)).toEqual(once);
    expect(tasksProjection.evolve(createdDoc(), created)).toEqual(createdDoc());
  });

  it('ignores any event at or below the stored revision (replay of an older batch)', () => {
    const started = fold([
      created,
      projectedEvent('TaskStarted', { taskId }, { revision: 1, tenantId: 'tenant-b' }),
    ])!;
    const stale = projectedEvent(
      'TaskArchived',
      { taskId, previousStatus: 'todo' },
      { revision: 1, tenantId: 'tenant-b' },
    );
    expect(tasksProjection.evolve(started, stale)).toBe(started);
  });

  it('refuses an event without a TaskCreated before it, so it gets parked', () => {
    expect(() => tasksProjection.evolve(null, projectedEvent('TaskStarted', { taskId }, at1))).toThrow(
      /TaskCreated missing/,
    );
  });

  it('refuses an event from another tenant', () => {
    const foreign = projectedEvent('TaskStarted', { taskId }, { revision: 1, tenantId: 'tenant-z' });
    expect(() => tasksProjection.evolve(createdDoc(), foreign)).toThrow(/tenant/);
  });
});
