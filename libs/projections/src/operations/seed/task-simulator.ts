import {
  decide,
  evolve,
  initialState,
  TASK_PRIORITIES,
  type CommandMetadata,
  type TaskCommand,
  type TaskEvent,
  type TaskState,
  type UnstampedTaskEvent,
} from '@ledger/tasks';
import { isLedgerError } from '@ledger/platform/errors';
import type { SeededRandom } from './seeded-random';

const VERBS = [
  'Write',
  'Fix',
  'Review',
  'Ship',
  'Plan',
  'Refactor',
  'Document',
  'Test',
  'Deploy',
  'Triage',
  'Design',
  'Migrate',
];
const THINGS = [
  'the runbook',
  'login flow',
  'billing export',
  'search index',
  'onboarding emails',
  'rate limiter',
  'API docs',
  'backup job',
  'audit log',
  'release notes',
  'dashboard',
  'CSV import',
];
const LABELS = [
  'backend',
  'frontend',
  'bug',
  'ops',
  'docs',
  'design',
  'infra',
  'security',
  'billing',
  'customer',
  'tech-debt',
  'q3',
];
const PEOPLE = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi'];
const COMMENTS = [
  'Looks good to me.',
  'Blocked on review.',
  'Can we split this?',
  'Done on staging.',
  'Needs a test.',
  'Moved to next sprint.',
];

/** One decided event and who caused it; `occurredAt` is stamped later, in log order. */
export interface SimulatedEvent {
  readonly event: UnstampedTaskEvent;
  readonly actor: string;
}

type Kind = TaskCommand['type'];

const dayMs = 86_400_000;

function labels(r: SeededRandom): string[] {
  return Array.from(
    {
      length: r.weighted([
        [0, 3],
        [1, 4],
        [2, 2],
        [3, 1],
      ] as const),
    },
    () => r.pick(LABELS),
  );
}

function dueAt(r: SeededRandom, base: number): string | null {
  return r.chance(0.4) ? new Date(base + r.between(1, 90) * dayMs).toISOString() : null;
}

function commandOf(
  kind: Kind,
  taskId: string,
  r: SeededRandom,
  base: number,
  metadata: CommandMetadata,
): TaskCommand {
  switch (kind) {
    case 'CreateTask':
      return {
        type: kind,
        metadata,
        data: {
          taskId,
          title: `${r.pick(VERBS)} ${r.pick(THINGS)}`,
          description: r.chance(0.5) ? `${r.pick(COMMENTS)} ${r.pick(COMMENTS)}` : null,
          assignee: r.chance(0.5) ? r.pick(PEOPLE) : null,
          priority: r.weighted([
            ['low', 2],
            ['normal', 5],
            ['high', 2],
            ['urgent', 1],
          ] as const),
          dueAt: dueAt(r, base),
          labels: labels(r),
        },
      };
    case 'ChangeTaskDetails': {
      const field = r.pick(['title', 'description', 'priority', 'dueAt', 'labels'] as const);
      const value = {
        title: () => `${r.pick(VERBS)} ${r.pick(THINGS)} (v${r.between(2, 9)})`,
        description: () => (r.chance(0.8) ? r.pick(COMMENTS) : null),
        priority: () => r.pick(TASK_PRIORITIES),
        dueAt: () => dueAt(r, base),
        labels: () => labels(r),
      }[field]();
      return { type: kind, metadata, data: { taskId, changes: { [field]: value } } };
    }
    case 'AssignTask':
      return { type: kind, metadata, data: { taskId, assignee: r.pick(PEOPLE) } };
    case 'AddComment':
      return { type: kind, metadata, data: { taskId, commentId: r.uuid(), body: r.pick(COMMENTS) } };
    case 'UnassignTask':
    case 'StartTask':
    case 'CompleteTask':
    case 'ReopenTask':
    case 'ArchiveTask':
      return { type: kind, metadata, data: { taskId } };
  }
}

/** What people do with a task in each status, roughly; archive only as the very last event. */
function nextKind(state: TaskState, r: SeededRandom, last: boolean): Kind {
  const status = state.exists ? state.status : 'todo';
  const archive = last ? 6 : 0;
  const common: [Kind, number][] = [
    ['AddComment', 25],
    ['ChangeTaskDetails', 12],
    ['AssignTask', 10],
    ['UnassignTask', state.exists && state.assignee ? 4 : 0],
  ];
  const byStatus: Record<string, [Kind, number][]> = {
    todo: [
      ['StartTask', 25],
      ['CompleteTask', 6],
      ['ArchiveTask', archive],
    ],
    in_progress: [
      ['CompleteTask', 25],
      ['ArchiveTask', archive],
    ],
    done: [
      ['ReopenTask', 8],
      ['ArchiveTask', archive * 2],
    ],
  };
  return r.weighted([...common, ...(byStatus[status] ?? [])]);
}

/**
 * A realistic life of one task, `count` events long, decided by the real domain: every command
 * goes through `decide` (validation and status rules), so only valid transitions are produced.
 * A command that changes nothing (assign to the current assignee) is drawn again.
 */
export function simulateTask(
  r: SeededRandom,
  taskId: string,
  tenantId: string,
  count: number,
  baseMs: number,
): SimulatedEvent[] {
  const out: SimulatedEvent[] = [];
  let state: TaskState = initialState;
  // decide reads no clock and the stamps come later: one timestamp serves the whole simulation.
  const now = new Date(baseMs).toISOString();
  const metadata = {
    tenantId,
    actor: '',
    occurredAt: now,
    correlationId: '',
    causationId: '',
    schemaVersion: 1,
  };
  const target = Math.max(1, count);
  while (out.length < target) {
    const actor = r.pick(PEOPLE);
    const kind = out.length === 0 ? 'CreateTask' : nextKind(state, r, out.length === target - 1);
    let decided: UnstampedTaskEvent[];
    try {
      decided = decide(commandOf(kind, taskId, r, baseMs, { tenantId, actor, now }), state);
    } catch (e) {
      if (!isLedgerError(e)) throw e;
      continue; // a rule said no: draw another command
    }
    for (const event of decided) {
      out.push({ event, actor });
      state = evolve(state, { ...event, metadata } as TaskEvent);
    }
  }
  return out;
}
