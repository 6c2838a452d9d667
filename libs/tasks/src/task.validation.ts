import { ValidationError, type FieldProblem } from '@ledger/platform/errors';
import type { TaskCommand } from './task.commands';
import { TASK_PRIORITIES, type TaskDetailsChanges } from './task.events';

/** The same limits the HTTP layer enforces; repeated here because the domain must not trust callers. */
export const TASK_LIMITS = {
  titleMax: 200,
  descriptionMax: 10_000,
  commentMax: 5_000,
  labelsMax: 20,
  labelMax: 50,
} as const;

type Check = (value: unknown) => string[];

const text =
  (max: number, { blankAllowed = false } = {}): Check =>
  (value) => {
    if (typeof value !== 'string') return ['must be a string'];
    if (!blankAllowed && value.trim().length === 0) return ['must not be blank'];
    return value.length > max ? [`must be at most ${max} characters`] : [];
  };

const nullable =
  (check: Check): Check =>
  (value) =>
    value === null ? [] : check(value);

// RFC 3339 style, offset required: a date-time without one is ambiguous, and Date.parse
// would read it in the server's local zone.
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

export const isIsoDateTime = (value: string): boolean => {
  const m = ISO_DATE_TIME.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute, second = 0, offH = 0, offM = 0] = m
    .slice(1)
    .map((p) => Number(p ?? 0));
  // Date.UTC rolls 2024-02-30 over to March; a round trip catches impossible days.
  const calendarDay = new Date(Date.UTC(year, month - 1, day)).getUTCDate();
  return (
    month >= 1 &&
    month <= 12 &&
    day === calendarDay &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offH <= 23 &&
    offM <= 59
  );
};

const dueAt: Check = (value) =>
  typeof value === 'string' && isIsoDateTime(value) ? [] : ['must be an ISO 8601 date-time with an offset'];

const priority: Check = (value) =>
  TASK_PRIORITIES.includes(value as never) ? [] : [`must be one of ${TASK_PRIORITIES.join(', ')}`];

const labels: Check = (value) => {
  if (!Array.isArray(value)) return ['must be an array of strings'];
  const problems =
    value.length > TASK_LIMITS.labelsMax ? [`must hold at most ${TASK_LIMITS.labelsMax} labels`] : [];
  value.forEach((label, i) => {
    for (const p of text(TASK_LIMITS.labelMax)(label)) problems.push(`[${i}] ${p}`);
  });
  return problems;
};

const title = text(TASK_LIMITS.titleMax);
const description = nullable(text(TASK_LIMITS.descriptionMax, { blankAllowed: true }));
const assignee = text(Infinity);

/** Field checks keyed by field name; `undefined` values are "not given" and skipped. */
const collect = (fields: Record<string, [unknown, Check]>): FieldProblem[] =>
  Object.entries(fields).flatMap(([field, [value, check]]) => {
    if (value === undefined) return [];
    const problems = check(value);
    return problems.length ? [{ field, problems }] : [];
  });

const CHANGEABLE: readonly (keyof TaskDetailsChanges)[] = [
  'title',
  'description',
  'priority',
  'dueAt',
  'labels',
];

const changesProblems = (changes: TaskDetailsChanges): FieldProblem[] => {
  const given = Object.entries(changes ?? {}).filter(([, v]) => v !== undefined);
  if (given.length === 0) return [{ field: 'changes', problems: ['at least one field must be given'] }];
  const unknown = given.filter(([k]) => !CHANGEABLE.includes(k as keyof TaskDetailsChanges));
  return [
    ...unknown.map(([field]) => ({ field, problems: ['cannot be changed'] })),
    ...collect({
      title: [changes.title, title],
      description: [changes.description, description],
      priority: [changes.priority, priority],
      dueAt: [changes.dueAt, nullable(dueAt)],
      labels: [changes.labels, labels],
    }),
  ];
};

const problemsOf = (command: TaskCommand): FieldProblem[] => {
  switch (command.type) {
    case 'CreateTask': {
      const d = command.data;
      // title is mandatory, so an absent one is checked rather than skipped.
      return collect({
        title: [d.title ?? null, title],
        description: [d.description, description],
        assignee: [d.assignee, nullable(assignee)],
        priority: [d.priority, priority],
        dueAt: [d.dueAt, nullable(dueAt)],
        labels: [d.labels, labels],
      });
    }
    case 'ChangeTaskDetails':
      return changesProblems(command.data.changes);
    case 'AssignTask':
      return collect({ assignee: [command.data.assignee ?? null, assignee] });
    case 'AddComment':
      return collect({ body: [command.data.body ?? null, text(TASK_LIMITS.commentMax)] });
    case 'UnassignTask':
    case 'StartTask':
    case 'CompleteTask':
    case 'ReopenTask':
    case 'ArchiveTask':
      return [];
    default: {
      const _exhaustive: never = command;
      throw new ValidationError(`unknown command type ${(_exhaustive as { type: unknown }).type}`);
    }
  }
};

/** Throws one ValidationError listing every bad field, so a client can fix them all at once. */
export const validateCommand = (command: TaskCommand): void => {
  const fields = problemsOf(command);
  if (fields.length > 0) {
    throw new ValidationError(`invalid ${command.type}: ${fields.map((f) => f.field).join(', ')}`, fields);
  }
};
