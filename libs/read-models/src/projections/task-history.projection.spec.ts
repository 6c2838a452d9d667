import { TASK_EVENT_TYPES } from '@ledger/tasks/task.events';
import type { ProjectedEvent } from '@ledger/projections/core/projection';
import { projectedEvent, taskCreatedData } from './testing/projected-event';
import { taskHistoryEntryId, taskHistoryProjection } from './task-history.projection';

const taskId = 'task-7';
const ctx = (revision: number) => ({
  revision,
  tenantId: 'tenant-h',
  actor: `actor-${revision}`,
  occurredAt: `2025-01-0${revision + 1}T00:00:00.000Z`,
  position: `pos-${revision}`,
});

// One event of every type, each at its own revision, so each case below checks one type.
const events: ProjectedEvent[] = [
  projectedEvent('TaskCreated', taskCreatedData(taskId), ctx(0)),
  projectedEvent('TaskDetailsChanged', { taskId, changes: { title: 'T' } }, ctx(1)),
  projectedEvent('TaskAssigned', { taskId, assignee: 'bob' }, ctx(2)),
  projectedEvent('TaskUnassigned', { taskId, previousAssignee: 'bob' }, ctx(3)),
  projectedEvent('TaskStarted', { taskId }, ctx(4)),
  projectedEvent('TaskCompleted', { taskId, previousStatus: 'in_progress' }, ctx(5)),
  projectedEvent('TaskReopened', { taskId }, ctx(6)),
  projectedEvent('CommentAdded', { taskId, commentId: 'c', body: 'b' }, ctx(7)),
  projectedEvent('TaskArchived', { taskId, previousStatus: 'todo' }, ctx(8)),
];

describe('taskHistoryProjection', () => {
  it('is named, versioned and handles every task event', () => {
    expect(taskHistoryProjection.name).toBe('task-history');
    expect(taskHistoryProjection.version).toBe(1);
    expect([...taskHistoryProjection.handles].sort()).toEqual([...TASK_EVENT_TYPES].sort());
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(TASK_EVENT_TYPES));
  });

  it.each(events.map((e) => [e.type, e] as const))(
    '%s becomes one entry with its own fields',
    (_type, event) => {
      const revision = Number(event.revision);
      const doc = taskHistoryProjection.evolve(null, event);
      expect(doc).toEqual({
        id: `${taskId}:${String(revision).padStart(10, '0')}`,
        tenantId: 'tenant-h',
        taskId,
        revision,
        type: event.type,
        data: event.data,
        actor: `actor-${revision}`,
        occurredAt: event.metadata.occurredAt,
        position: `pos-${revision}`,
      });
      expect(taskHistoryProjection.documentId(event)).toBe(doc!.id);
    },
  );

  it('pads revisions so lexical id order is revision order', () => {
    const revisions = [0, 1, 2, 9, 10, 11, 99, 100, 12345, 9_999_999_999];
    const ids = revisions.map((r) => taskHistoryEntryId(taskId, r));
    expect([...ids].sort()).toEqual(ids);
    expect(taskHistoryEntryId(taskId, 42n)).toBe('task-7:0000000042');
  });

  it('is idempotent: applying the same event twice gives the same document', () => {
    const event = events[2]!;
    const once = taskHistoryProjection.evolve(null, event);
    expect(taskHistoryProjection.evolve(once, event)).toEqual(once);
  });
});
