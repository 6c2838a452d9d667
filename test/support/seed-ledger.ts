import { join } from 'node:path';
import { v5 as uuidv5 } from 'uuid';
import { createSqliteEventStore, type NewEvent } from '@ledger/event-store';
import { isLedgerError } from '@ledger/platform/errors';
import {
  CURRENT_SCHEMA_VERSION,
  decide,
  evolve,
  initialState,
  taskStreamName,
  upcast,
  type TaskCommand,
  type TaskEvent,
  type TaskState,
} from '@ledger/tasks';
import { seededRandom } from './child-process';

const NAMESPACE = '0b7e0f55-3c1a-4f53-9d7e-5a6c2b1f9e10';

export interface SeedOptions {
  readonly tasks: number;
  /** Commands tried per task after its creation; refused ones (rules) append nothing. */
  readonly commandsPerTask?: number;
  readonly tenants?: readonly string[];
  readonly seed: number;
  /** Distinguishes several seedings of one data dir (task ids stay unique). */
  readonly batch?: string;
}

export interface SeedResult {
  readonly tasks: number;
  readonly events: number;
  readonly head: string | undefined;
}

type Meta = TaskCommand['metadata'];

/** Roughly how often each command is tried after a task's creation (cumulative thresholds). */
function randomCommand(
  r: number,
  taskId: string,
  i: number,
  c: number,
  pick: <T>(xs: readonly T[]) => T,
  metadata: Meta,
): TaskCommand {
  const data = { taskId };
  if (r < 0.2) return { type: 'StartTask', data, metadata };
  if (r < 0.35) return { type: 'CompleteTask', data, metadata };
  if (r < 0.42) return { type: 'ReopenTask', data, metadata };
  if (r < 0.5) return { type: 'ArchiveTask', data, metadata };
  if (r < 0.62) return { type: 'AssignTask', data: { taskId, assignee: pick(ACTORS) }, metadata };
  if (r < 0.68) return { type: 'UnassignTask', data, metadata };
  if (r < 0.84) {
    const commentId = uuidv5(`${taskId}:${c}`, NAMESPACE);
    return { type: 'AddComment', data: { taskId, commentId, body: `comment ${c}` }, metadata };
  }
  const changes = { title: `Task ${i} v${c}`, priority: pick(PRIORITIES) };
  return { type: 'ChangeTaskDetails', data: { taskId, changes }, metadata };
}

const ACTORS = ['ana', 'ben', 'chen', 'dara', 'eli'];
const LABELS = ['ops', 'bug', 'ui', 'api', 'docs', 'infra', 'perf'];
const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;

/**
 * Appends random but valid task streams straight to `${dataDir}/events.db` through the real
 * domain (decide/evolve), one append per task: what the CLI's `seed` does, without needing it,
 * so the projector's fault test does not depend on the CLI under test.
 */
export async function seedLedger(dataDir: string, options: SeedOptions): Promise<SeedResult> {
  const rnd = seededRandom(options.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const tenants = options.tenants ?? ['default'];
  const perTask = options.commandsPerTask ?? 5;
  const store = createSqliteEventStore({ file: join(dataDir, 'events.db') });
  let clock = Date.UTC(2026, 0, 1) + options.seed;
  let events = 0;
  try {
    for (let i = 0; i < options.tasks; i++) {
      const taskId = uuidv5(`${options.batch ?? ''}:${options.seed}:${i}`, NAMESPACE);
      const tenantId = pick(tenants);
      const commands: TaskCommand[] = [];
      const meta = () => ({ tenantId, actor: pick(ACTORS), now: new Date((clock += 1000)).toISOString() });
      commands.push({
        type: 'CreateTask',
        data: {
          taskId,
          title: `Task ${i} of seed ${options.seed}`,
          priority: pick(PRIORITIES),
          labels: LABELS.filter(() => rnd() < 0.2),
          ...(rnd() < 0.5 ? { assignee: pick(ACTORS) } : {}),
          ...(rnd() < 0.3 ? { dueAt: new Date(clock + Math.floor(rnd() * 9e9)).toISOString() } : {}),
        },
        metadata: meta(),
      });
      const n = Math.floor(rnd() * (perTask + 1));
      for (let c = 0; c < n; c++) commands.push(randomCommand(rnd(), taskId, i, c, pick, meta()));

      let state: TaskState = initialState;
      const stamped: NewEvent[] = [];
      for (const command of commands) {
        let decided;
        try {
          decided = decide(command, state);
        } catch (e) {
          if (isLedgerError(e)) continue; // a rule refused it, as the API would: try the next one
          throw e;
        }
        for (const e of decided) {
          const metadata = {
            tenantId,
            actor: command.metadata.actor,
            correlationId: `seed-${options.seed}`,
            causationId: `seed-${options.seed}`,
            occurredAt: command.metadata.now,
            schemaVersion: CURRENT_SCHEMA_VERSION[e.type],
          };
          state = evolve(state, { ...e, metadata } as TaskEvent);
          stamped.push({
            id: uuidv5(`${taskId}:${stamped.length}`, NAMESPACE),
            type: e.type,
            data: e.data,
            metadata,
          });
        }
      }
      await store.append(taskStreamName(taskId), stamped, 'no_stream');
      events += stamped.length;
    }
    return { tasks: options.tasks, events, head: await store.headPosition() };
  } finally {
    await store.close();
  }
}

/**
 * Runs one command against an existing task through the real domain and appends its events
 * straight to events.db; returns the new head position.
 */
export async function appendCommand(dataDir: string, command: TaskCommand): Promise<string> {
  const store = createSqliteEventStore({ file: join(dataDir, 'events.db') });
  try {
    const stream = taskStreamName(command.data.taskId);
    const recorded = await store.readStream(stream);
    let state: TaskState = initialState;
    for (const e of recorded) state = evolve(state, upcast(e));
    const events = decide(command, state).map((e, i) => ({
      id: uuidv5(`${command.data.taskId}:${recorded.length + i}`, NAMESPACE),
      type: e.type,
      data: e.data,
      metadata: {
        tenantId: command.metadata.tenantId,
        actor: command.metadata.actor,
        correlationId: 'append-command',
        causationId: 'append-command',
        occurredAt: command.metadata.now,
        schemaVersion: CURRENT_SCHEMA_VERSION[e.type],
      },
    }));
    const last = recorded[recorded.length - 1];
    return (await store.append(stream, events, last ? last.revision : 'no_stream')).position;
  } finally {
    await store.close();
  }
}
