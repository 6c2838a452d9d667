import { NotFoundError, RuleViolation } from '@ledger/platform/errors';
import type { ChangeTaskDetails, CreateTask, TaskCommand } from './task.commands';
import type { TaskDetailsChanges, TaskEvent, TaskStatus, UnstampedTaskEvent } from './task.events';
import { initialState, type ExistingTask, type TaskState } from './task.state';
import { validateCommand } from './task.validation';

export { initialState };

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Keeps the first occurrence of each label, in the order given. */
export const dedupeLabels = (labels: readonly string[]): string[] => [...new Set(labels)];

const sameLabels = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((label, i) => label === b[i]);

/**
 * The task the command may act on. Another tenant's task answers exactly like a missing one,
 * and this runs before any rule so that no rule leaks its existence.
 */
const activeTask = (command: Exclude<TaskCommand, CreateTask>, state: TaskState): ExistingTask => {
  const { taskId } = command.data;
  if (!state.exists || state.tenantId !== command.metadata.tenantId) {
    throw new NotFoundError(`task ${taskId} not found`, { taskId });
  }
  if (state.status === 'archived') {
    throw new RuleViolation(`task ${taskId} is archived`, { taskId, status: state.status });
  }
  return state;
};

const requireStatus = <S extends TaskStatus>(
  task: ExistingTask,
  allowed: readonly S[],
  action: string,
): S => {
  if (!(allowed as readonly TaskStatus[]).includes(task.status)) {
    throw new RuleViolation(`cannot ${action} a task that is ${task.status}`, {
      taskId: task.taskId,
      status: task.status,
      allowed,
    });
  }
  return task.status as S;
};

const create = ({ data }: CreateTask, state: TaskState): UnstampedTaskEvent[] => {
  if (state.exists) throw new RuleViolation('task already exists', { taskId: data.taskId });
  return [
    {
      type: 'TaskCreated',
      data: {
        taskId: data.taskId,
        title: data.title,
        description: data.description ?? null,
        assignee: data.assignee ?? null,
        priority: data.priority ?? 'normal',
        dueAt: data.dueAt ?? null,
        labels: dedupeLabels(data.labels ?? []),
      },
    },
  ];
};

/** Only what differs from the task is emitted; nothing differing means nothing to append. */
const changeDetails = ({ data }: ChangeTaskDetails, task: ExistingTask): UnstampedTaskEvent[] => {
  const given = data.changes;
  const changes: Mutable<TaskDetailsChanges> = {};
  if (given.title !== undefined && given.title !== task.title) changes.title = given.title;
  if (given.description !== undefined && given.description !== task.description) {
    changes.description = given.description;
  }
  if (given.priority !== undefined && given.priority !== task.priority) changes.priority = given.priority;
  if (given.dueAt !== undefined && given.dueAt !== task.dueAt) changes.dueAt = given.dueAt;
  if (given.labels !== undefined) {
    const labels = dedupeLabels(given.labels);
    if (!sameLabels(labels, task.labels)) changes.labels = labels;
  }
  if (Object.keys(changes).length === 0) return [];
  return [{ type: 'TaskDetailsChanged', data: { taskId: data.taskId, changes } }];
};

/** Throws a ValidationError, NotFoundError or RuleViolation; `[]` means the command changes nothing. */
export const decide = (command: TaskCommand, state: TaskState): UnstampedTaskEvent[] => {
  validateCommand(command);
  switch (command.type) {
    case 'CreateTask':
      return create(command, state);
    case 'ChangeTaskDetails':
      return changeDetails(command, activeTask(command, state));
    case 'AssignTask': {
      const task = activeTask(command, state);
      const { taskId, assignee } = command.data;
      return task.assignee === assignee ? [] : [{ type: 'TaskAssigned', data: { taskId, assignee } }];
    }
    case 'UnassignTask': {
      const task = activeTask(command, state);
      const { taskId } = command.data;
      return task.assignee === null
        ? []
        : [{ type: 'TaskUnassigned', data: { taskId, previousAssignee: task.assignee } }];
    }
    case 'StartTask': {
      requireStatus(activeTask(command, state), ['todo'], 'start');
      return [{ type: 'TaskStarted', data: { taskId: command.data.taskId } }];
    }
    case 'CompleteTask': {
      const previousStatus = requireStatus(activeTask(command, state), ['todo', 'in_progress'], 'complete');
      return [{ type: 'TaskCompleted', data: { taskId: command.data.taskId, previousStatus } }];
    }
    case 'ReopenTask': {
      requireStatus(activeTask(command, state), ['done'], 'reopen');
      return [{ type: 'TaskReopened', data: { taskId: command.data.taskId } }];
    }
    case 'ArchiveTask': {
      // activeTask already refuses an archived task, so every status left may be archived.
      const previousStatus = requireStatus(
        activeTask(command, state),
        ['todo', 'in_progress', 'done'],
        'archive',
      );
      return [{ type: 'TaskArchived', data: { taskId: command.data.taskId, previousStatus } }];
    }
    case 'AddComment': {
      activeTask(command, state);
      const { taskId, commentId, body } = command.data;
      return [{ type: 'CommentAdded', data: { taskId, commentId, body } }];
    }
    default: {
      const _exhaustive: never = command;
      throw new Error(`unhandled command ${(_exhaustive as { type: unknown }).type}`);
    }
  }
};

/**
 * An event that needs a task but finds none means the stream itself is corrupt: failing loudly
 * beats folding a half-made task (a projection parks the event, a command answers 500).
 */
const update = (state: TaskState, event: TaskEvent, patch: Partial<ExistingTask>): ExistingTask => {
  if (!state.exists) throw new Error(`${event.type} for task ${event.data.taskId} before its TaskCreated`);
  return { ...state, ...patch, updatedAt: event.metadata.occurredAt };
};

const applyChanges = (changes: TaskDetailsChanges): Partial<ExistingTask> => {
  // Picked one by one: unknown keys in a stored event must not leak into the state.
  const patch: Mutable<Partial<ExistingTask>> = {};
  if (changes.title !== undefined) patch.title = changes.title;
  if (changes.description !== undefined) patch.description = changes.description;
  if (changes.priority !== undefined) patch.priority = changes.priority;
  if (changes.dueAt !== undefined) patch.dueAt = changes.dueAt;
  if (changes.labels !== undefined) patch.labels = [...changes.labels];
  return patch;
};

export const evolve = (state: TaskState, event: TaskEvent): TaskState => {
  switch (event.type) {
    case 'TaskCreated': {
      if (state.exists) throw new Error(`task ${event.data.taskId} created twice`);
      const { data, metadata } = event;
      return {
        exists: true,
        tenantId: metadata.tenantId,
        taskId: data.taskId,
        title: data.title,
        description: data.description,
        status: 'todo',
        assignee: data.assignee,
        priority: data.priority,
        dueAt: data.dueAt,
        labels: [...data.labels],
        commentCount: 0,
        createdAt: metadata.occurredAt,
        updatedAt: metadata.occurredAt,
      };
    }
    case 'TaskDetailsChanged':
      return update(state, event, applyChanges(event.data.changes));
    case 'TaskAssigned':
      return update(state, event, { assignee: event.data.assignee });
    case 'TaskUnassigned':
      return update(state, event, { assignee: null });
    case 'TaskStarted':
      return update(state, event, { status: 'in_progress' });
    case 'TaskCompleted':
      return update(state, event, { status: 'done' });
    case 'TaskReopened':
      return update(state, event, { status: 'todo' });
    case 'TaskArchived':
      return update(state, event, { status: 'archived' });
    case 'CommentAdded':
      return update(state, event, { commentCount: state.exists ? state.commentCount + 1 : 0 });
    default: {
      const _exhaustive: never = event;
      throw new Error(`unhandled event ${(_exhaustive as { type: unknown }).type}`);
    }
  }
};

export const taskDecider = { decide, evolve, initialState } as const;
