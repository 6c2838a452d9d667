import type { EventStore, Position } from '@ledger/event-store';
import type { Projection, ReadDocument } from '../core/projection';
import type { ProjectionStore } from '../core/projection-store.port';
import { LeaseHeldError } from '../core/projection-errors';
import { rebuildProjection, type RebuildOptions, type RebuildResult } from '../operations/rebuild-projection';
import type { ProgressListener, ProjectionLag, ProjectionProgress } from './projection-progress';
import { ProjectionWorker, type ProjectionWorkerOptions } from './projection-worker';

export interface RunnerLogger {
  info(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

export interface ProjectionRunnerOptions {
  readonly projections: readonly Projection<ReadDocument>[];
  readonly eventStore: EventStore;
  readonly store: ProjectionStore;
  /** Batch sizes, retry policy, clocks: shared by every live worker. */
  readonly worker?: Partial<Omit<ProjectionWorkerOptions, 'projection' | 'eventStore' | 'store' | 'target'>>;
  /** Rebuild a projection whose stored version differs from the code's (default true). */
  readonly rebuildOnVersionChange?: boolean;
  readonly rebuild?: Pick<RebuildOptions, 'owner' | 'leaseTtlMs' | 'batchSize' | 'worker'>;
  readonly logger?: RunnerLogger;
}

export type RunnerStart = 'live' | 'backfill' | 'rebuild';

const silent: RunnerLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * Supervises one live worker per projection and decides, at start, what each needs:
 * - `backfill`: never registered; its live worker starts from position 0 while the others run;
 * - `rebuild`: the stored version differs from the code's. The live worker keeps the old copy
 *   current (with the new fold: the old fold's code is gone) so reads and X-Min-Position keep
 *   working, while a blue/green rebuild fills a shadow with the new fold and switches; the live
 *   worker then follows the pointer to the new copy by itself;
 * - `live`: resume from the checkpoint.
 * @example const runner = new ProjectionRunner({ projections: allProjections, eventStore, store }); await runner.start()
 */
export class ProjectionRunner {
  private readonly workers = new Map<string, ProjectionWorker>();
  private readonly rebuilds = new Map<string, Promise<RebuildResult | undefined>>();
  private readonly abort = new AbortController();
  private readonly log: RunnerLogger;

  constructor(private readonly options: ProjectionRunnerOptions) {
    this.log = options.logger ?? silent;
    const names = options.projections.map((p) => p.name);
    if (new Set(names).size !== names.length)
      throw new Error(`duplicate projection names: ${names.join(', ')}`);
  }

  /** Starts every projection; returns what each one does. */
  async start(): Promise<Record<string, RunnerStart>> {
    const plan: Record<string, RunnerStart> = {};
    await Promise.all(
      this.options.projections.map(async (projection) => {
        const { store } = this.options;
        const before = await store.getState(projection.name);
        const kind: RunnerStart = !before
          ? 'backfill'
          : before.version !== projection.version
            ? 'rebuild'
            : 'live';
        plan[projection.name] = kind;
        const worker = new ProjectionWorker({
          ...this.options.worker,
          projection,
          eventStore: this.options.eventStore,
          store,
        });
        this.workers.set(projection.name, worker);
        await worker.start();
        this.log.info(`projection ${projection.name}: ${kind}`, {
          version: projection.version,
          stored: before?.version,
        });
        if (kind === 'rebuild' && this.options.rebuildOnVersionChange !== false)
          this.startRebuild(projection);
      }),
    );
    return plan;
  }

  private startRebuild(projection: Projection<ReadDocument>): void {
    const run = rebuildProjection({
      ...this.options.rebuild,
      projection,
      eventStore: this.options.eventStore,
      store: this.options.store,
      signal: this.abort.signal,
    }).then(
      (result) => {
        if (result.switched) this.workers.get(projection.name)?.followSwitch();
        this.log.info(
          `projection ${projection.name}: rebuild ${result.switched ? 'switched in' : 'paused'}`,
          { ...result },
        );
        return result;
      },
      (e: unknown) => {
        if (e instanceof LeaseHeldError)
          this.log.warn(`projection ${projection.name}: another process is rebuilding it`);
        else this.log.error(`projection ${projection.name}: rebuild failed`, { error: String(e) });
        return undefined;
      },
    );
    this.rebuilds.set(projection.name, run);
  }

  /** Resolves when the rebuild started for `name` ends (undefined if none, refused or failed). */
  async rebuildFinished(name: string): Promise<RebuildResult | undefined> {
    return this.rebuilds.get(name);
  }

  worker(name: string): ProjectionWorker | undefined {
    return this.workers.get(name);
  }

  progress(): ProjectionProgress[] {
    return [...this.workers.values()].map((w) => w.progress());
  }

  async lag(): Promise<ProjectionLag[]> {
    return Promise.all([...this.workers.values()].map((w) => w.lag()));
  }

  /** One listener for every worker's progress (metrics). Returns the unsubscribe function. */
  onProgress(listener: ProgressListener): () => void {
    const offs = [...this.workers.values()].map((w) => w.onProgress(listener));
    return () => offs.forEach((off) => off());
  }

  /**
   * True when every named projection (default: all) has reached `position` within `timeoutMs`.
   * @example if (!(await runner.waitForPosition(req.header('X-Min-Position'), 5000, ['tasks']))) throw 503
   */
  async waitForPosition(position: Position, timeoutMs: number, names?: readonly string[]): Promise<boolean> {
    const workers = names ? names.map((n) => this.workers.get(n)) : [...this.workers.values()];
    if (workers.some((w) => !w)) throw new Error(`unknown projection among ${names?.join(', ')}`);
    const reached = await Promise.all(workers.map((w) => w!.waitForPosition(position, timeoutMs)));
    return reached.every(Boolean);
  }

  /** Pauses rebuilds (they resume at the next start) and stops every worker gracefully. */
  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.all([...this.rebuilds.values()]);
    await Promise.all([...this.workers.values()].map((w) => w.stop()));
  }
}
