import { randomBytes } from 'node:crypto';
import type { AppendResult, EventStore, ExpectedRevision, NewEvent, Position } from '@ledger/event-store';
import { CURRENT_SCHEMA_VERSION, taskStreamName, type TaskEventMetadata } from '@ledger/tasks';
import { breather } from '../event-loop-yield';
import { SeededRandom } from './seeded-random';
import { simulateTask, type SimulatedEvent } from './task-simulator';

export interface SeedOptions {
  readonly eventStore: EventStore;
  readonly tasks: number;
  /** Events per task, the TaskCreated included (default 8). */
  readonly eventsPerTask?: number;
  readonly tenantId?: string;
  /** Same seed, same events (ids, data, timestamps). Default: a random seed, returned in the result. */
  readonly seed?: string;
  /** occurredAt of the first event; later ones follow a simulated clock (default 2025-01-06T08:00Z). */
  readonly startAt?: string;
  /** Tasks generated, then appended, together (default 1000). */
  readonly window?: number;
  /**
   * Appends per task (default 1): with 2 or more, each task is appended in that many parts, one
   * round per part over the window, so tasks interleave in the log the way concurrent users make
   * them. Each part is a transaction, so it costs speed (about 25% for 2 parts of 10 events here).
   */
  readonly parts?: number;
  /** Appends in flight at once (default 64; the SQLite store runs them one by one anyway). */
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: SeedProgress) => void;
}

export interface SeedProgress {
  readonly tasks: number;
  readonly events: number;
  readonly totalEvents: number;
}

export interface SeedResult {
  readonly seed: string;
  readonly tenantId: string;
  readonly tasks: number;
  readonly events: number;
  /** Appends the store found already done (a rerun with the same seed after an interruption). */
  readonly deduplicated: number;
  readonly lastPosition?: Position;
  readonly ms: number;
  readonly eventsPerSecond: number;
  readonly interrupted: boolean;
}

const DEFAULT_START = '2025-01-06T08:00:00.000Z';

/**
 * Appends `tasks` realistic tasks through the real domain (see simulateTask), deterministic for a
 * given seed: the seed names every id (tasks, events, comments, correlations) and timestamp, so a
 * rerun with the same seed after Ctrl-C or kill -9 dedupes what is already stored (same event ids)
 * and appends the rest.
 *
 * Speed: the port has no multi-stream transaction, so each task is one append (one transaction
 * of all its events, or `parts` of them), with many appends in flight and no await per event.
 * @example const { eventsPerSecond } = await seedTasks({ eventStore, tasks: 100_000, eventsPerTask: 10, seed: 'bench' })
 */
export async function seedTasks(options: SeedOptions): Promise<SeedResult> {
  const started = Date.now();
  const seed = options.seed ?? randomBytes(6).toString('hex');
  const tenantId = options.tenantId ?? 'default';
  const perTask = Math.max(1, options.eventsPerTask ?? 8);
  const window = Math.max(1, options.window ?? 1000);
  const parts = Math.max(1, options.parts ?? 1);
  const totalEvents = options.tasks * perTask;
  const r = new SeededRandom(`${seed}\n${tenantId}`);
  let clock = Date.parse(options.startAt ?? DEFAULT_START);
  const appender = new Appender(options.eventStore, options.concurrency ?? 64);
  let tasks = 0;
  let events = 0;
  let interrupted = false;

  const stamp = (e: SimulatedEvent): NewEvent => {
    clock += r.between(1, 90) * 1000;
    const correlationId = r.uuid();
    const metadata: TaskEventMetadata = {
      tenantId,
      actor: e.actor,
      correlationId,
      causationId: correlationId,
      occurredAt: new Date(clock).toISOString(),
      schemaVersion: CURRENT_SCHEMA_VERSION[e.event.type],
    };
    return {
      id: r.uuid(),
      type: e.event.type,
      data: e.event.data,
      metadata: metadata as unknown as Record<string, unknown>,
    };
  };

  const breathe = breather();
  while (tasks < options.tasks) {
    await breathe(); // SQLite appends never yield by themselves: let Ctrl-C and progress through
    if (options.signal?.aborted) {
      interrupted = true;
      break;
    }
    const n = Math.min(window, options.tasks - tasks);
    const lives = Array.from({ length: n }, () => {
      const taskId = r.uuid();
      return { stream: taskStreamName(taskId), events: simulateTask(r, taskId, tenantId, perTask, clock) };
    });
    // Round k appends the k-th part of every task, once round k-1 is stored.
    for (let part = 0; part < parts; part++) {
      for (const life of lives) {
        const size = Math.ceil(life.events.length / parts);
        const events = life.events.slice(part * size, (part + 1) * size).map(stamp);
        const expected: ExpectedRevision = part === 0 ? 'no_stream' : BigInt(part * size - 1);
        if (events.length) await appender.append(life.stream, events, expected);
      }
      await appender.drain();
    }
    tasks += n;
    events += lives.reduce((s, l) => s + l.events.length, 0);
    options.onProgress?.({ tasks, events, totalEvents });
  }
  await appender.drain();
  const ms = Date.now() - started;
  return {
    seed,
    tenantId,
    tasks,
    events,
    deduplicated: appender.deduplicated,
    lastPosition: appender.lastPosition,
    ms,
    eventsPerSecond: Math.round(events / Math.max(ms / 1000, 0.001)),
    interrupted,
  };
}

/** Keeps up to `limit` appends in flight; the first failure is rethrown at the next call. */
class Appender {
  private readonly inFlight = new Set<Promise<void>>();
  private failure?: unknown;
  deduplicated = 0;
  lastPosition?: Position;

  constructor(
    private readonly store: EventStore,
    private readonly limit: number,
  ) {}

  async append(stream: string, events: NewEvent[], expected: ExpectedRevision): Promise<void> {
    if (this.failure) throw this.failure;
    const p = this.store.append(stream, events, expected).then(
      (result: AppendResult) => {
        if (result.deduplicated) this.deduplicated++;
        else if (!this.lastPosition || this.store.comparePositions(result.position, this.lastPosition) > 0)
          this.lastPosition = result.position;
      },
      (e: unknown) => void (this.failure ??= e),
    );
    const tracked = p.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
    if (this.inFlight.size >= this.limit) await Promise.race(this.inFlight);
  }

  async drain(): Promise<void> {
    await Promise.all(this.inFlight);
    if (this.failure) throw this.failure;
  }
}
