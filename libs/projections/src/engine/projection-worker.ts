import { EventEmitter } from 'node:events';
import type { EventFilter, EventStore, Position, RecordedEvent, Subscription } from '@ledger/event-store';
import { TASK_STREAM_PREFIX, upcast as upcastTaskEvent } from '@ledger/tasks';
import type { Projection, ReadDocument } from '../core/projection';
import type { Checkpoint, ProjectionStore } from '../core/projection-store.port';
import { isStaleTarget, StaleTargetError } from '../core/projection-errors';
import { BatchReader } from './batch-reader';
import { describeError, documentIds, foldBatch, prepareBatch, type Upcast } from './fold-batch';
import type { ProgressListener, ProjectionLag, ProjectionProgress } from './projection-progress';
import { measureLag } from './measure-lag';
import { backoffDelay, DEFAULT_RETRY_POLICY, isTransient, type RetryPolicy } from './retry-policy';

export interface ProjectionWorkerOptions {
  readonly projection: Projection<ReadDocument>;
  readonly eventStore: EventStore;
  readonly store: ProjectionStore;
  /** A fixed target (a rebuild's shadow). Without it the worker follows the live pointer. */
  readonly target?: string;
  /** Stop by itself once caught up with the head (rebuild, replay). */
  readonly untilCaughtUp?: boolean;
  readonly batchSize?: number;
  readonly batchMs?: number;
  /**
   * Close a batch as soon as no further event is ready (default true), so a read waiting on
   * X-Min-Position never waits out `batchMs`; false keeps every batch open for `batchMs`.
   */
  readonly flushAtLiveEdge?: boolean;
  /** Wait for a first event this long before checking whether the projection is caught up. */
  readonly idleMs?: number;
  readonly retry?: Partial<RetryPolicy>;
  /** Most events `lag()` counts before it reports `eventsBehindCapped`. */
  readonly lagCountLimit?: number;
  readonly streamPrefix?: string;
  readonly upcast?: Upcast;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly clock?: () => Date;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * One projection's explicit, checkpointed loop: subscribe to `$all` after the checkpoint,
 * batch, upcast, load the batch's documents once, fold in memory, commit documents + parked
 * events + checkpoint together. Transient failures retry the same batch (capped exponential
 * backoff with jitter); the subscription is reopened from the last committed checkpoint, so
 * nothing is lost or reordered, and the position guards make nothing apply twice.
 * @example const w = new ProjectionWorker({ projection: tasksProjection, eventStore, store }); await w.start()
 */
export class ProjectionWorker {
  readonly name: string;
  private readonly o: Required<Omit<ProjectionWorkerOptions, 'target' | 'retry'>> & { retry: RetryPolicy };
  private readonly emitter = new EventEmitter();
  private readonly filter: EventFilter;
  private target?: string;
  private checkpoint?: Checkpoint;
  private p: Omit<ProjectionProgress, 'projection' | 'target' | 'checkpoint'>;
  private stopping = false;
  private reader?: BatchReader;
  private wakeSleep?: () => void;
  private loop?: Promise<void>;
  private readonly fixedTarget?: string;
  private chasedHead?: Position;
  private chases = 0;
  private resync = false;

  constructor(options: ProjectionWorkerOptions) {
    this.name = options.projection.name;
    this.target = options.target;
    this.fixedTarget = options.target;
    this.o = {
      untilCaughtUp: false,
      batchSize: 500,
      batchMs: 50,
      flushAtLiveEdge: true,
      idleMs: 100,
      lagCountLimit: 10_000,
      streamPrefix: TASK_STREAM_PREFIX,
      upcast: upcastTaskEvent,
      sleep: defaultSleep,
      random: Math.random,
      clock: () => new Date(),
      ...options,
      retry: { ...DEFAULT_RETRY_POLICY, ...options.retry },
    };
    this.filter = { streamPrefixes: [this.o.streamPrefix], eventTypes: options.projection.handles };
    this.emitter.setMaxListeners(0); // one listener per waiting HTTP request
    this.p = {
      state: 'starting',
      caughtUp: false,
      batches: 0,
      applied: 0,
      skipped: 0,
      parked: 0,
      retries: 0,
    };
  }

  /** Resolves once the checkpoint is loaded and the loop runs; the loop continues in the background. */
  async start(): Promise<void> {
    if (this.loop) return;
    await this.resolveTarget();
    if (!this.fixedTarget) await this.o.store.setStatus(this.name, 'live', null);
    this.update({ state: 'running' });
    this.loop = this.run();
  }

  /** Graceful: finishes the batch in hand, commits its checkpoint, closes the subscription. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.reader?.stop();
    this.wakeSleep?.();
    await this.loop;
    if (this.p.state !== 'failed') this.update({ state: 'stopped' });
    if (!this.fixedTarget) await this.o.store.setStatus(this.name, 'stopped').catch(() => undefined);
  }

  /** Resolves when the loop has ended: stopped, failed, or caught up with `untilCaughtUp`. */
  async finished(): Promise<ProjectionProgress> {
    await this.loop;
    return this.progress();
  }

  progress(): ProjectionProgress {
    return { projection: this.name, target: this.target, checkpoint: this.checkpoint?.position, ...this.p };
  }

  onProgress(listener: ProgressListener): () => void {
    this.emitter.on('progress', listener);
    return () => this.emitter.off('progress', listener);
  }

  /** True when the read model has reached `position` within `timeoutMs`; woken by commits, never polls. */
  waitForPosition(position: Position, timeoutMs: number): Promise<boolean> {
    const reached = () =>
      !!this.checkpoint && this.o.eventStore.comparePositions(this.checkpoint.position, position) >= 0;
    if (reached()) return Promise.resolve(true);
    // Commit what the open batch holds now rather than at its window's end or the next turn.
    this.reader?.cut();
    return new Promise((resolve) => {
      const finish = (ok: boolean) => {
        clearTimeout(timer);
        off();
        resolve(ok);
      };
      const off = this.onProgress(() => reached() && finish(true));
      const timer = setTimeout(() => finish(false), timeoutMs);
    });
  }

  async lag(): Promise<ProjectionLag> {
    return measureLag(
      this.o.eventStore,
      this.filter,
      this.checkpoint?.position,
      this.o.lagCountLimit,
      this.o.clock,
      this.name,
    );
  }

  /**
   * Re-reads the live pointer now instead of at the next commit: called by the runner right
   * after a rebuild switched this projection, so `waitForPosition` never answers from the old
   * copy's checkpoint for longer than the batch in hand.
   */
  followSwitch(): void {
    if (this.fixedTarget) return;
    this.resync = true;
    this.reader?.stop();
  }

  private update(patch: Partial<ProjectionWorker['p']>): void {
    this.p = { ...this.p, ...patch };
    this.emitter.emit('progress', this.progress());
  }

  private async resolveTarget(): Promise<void> {
    if (this.fixedTarget) {
      const t = await this.o.store.getTarget(this.fixedTarget);
      if (!t) throw new StaleTargetError(this.fixedTarget);
      this.checkpoint = t.checkpoint;
      return;
    }
    this.resync = false;
    const state = await this.o.store.registerProjection(this.name, this.o.projection.version);
    if (this.target !== undefined && this.target !== state.liveTarget) this.update({ caughtUp: false });
    this.target = state.liveTarget;
    this.checkpoint = state.checkpoint;
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (!this.stopping) {
      let subscription: Subscription | undefined;
      try {
        subscription = this.o.eventStore.subscribeToAll({
          from: this.checkpoint?.position,
          filter: this.filter,
        });
        this.reader = new BatchReader(subscription[Symbol.asyncIterator](), this.o);
        if (this.stopping) this.reader.stop();
        for (;;) {
          const batch = await this.reader.next();
          if (batch.events.length) {
            await this.withRetry(() => this.process(batch.events));
            if (this.o.untilCaughtUp && (await this.withRetry(() => this.reachedHead())))
              this.stopping = true;
          } else if (!this.stopping && (await this.withRetry(() => this.idle())) && this.o.untilCaughtUp)
            this.stopping = true;
          attempt = 0;
          // SQLite's driver is synchronous: a catch-up made only of resolved promises would never
          // let timers, signals or HTTP requests in. One turn of the event loop per batch does.
          // At the live edge under load it also lets the next batch gather two turns of appends
          // (fewer, larger commits); a reader waiting for a position cuts that short (`cut`).
          await new Promise<void>((resolve) => setImmediate(resolve));
          if (this.resync && !this.stopping) throw new StaleTargetError(this.target!);
          if (batch.done || this.stopping) break;
        }
      } catch (e) {
        if (isStaleTarget(e) && !this.fixedTarget) {
          // A rebuild switched the live pointer: continue on the new target from its checkpoint.
          await this.withRetry(() => this.resolveTarget()).catch((err) => this.fail(err));
        } else if (!isTransient(e)) {
          this.fail(e);
        } else if (!this.stopping) {
          // The subscription itself failed: reopen it from the last committed checkpoint.
          await this.backoff(attempt++, e);
        }
      } finally {
        this.reader = undefined;
        await subscription?.close().catch(() => undefined);
      }
    }
  }

  private fail(e: unknown): void {
    this.stopping = true;
    this.update({ state: 'failed', lastError: describeError(e) });
    this.o.store.setStatus(this.name, 'stopped', describeError(e)).catch(() => undefined);
  }

  /**
   * Runs `fn` until it succeeds, retrying transient failures; gives up (rethrows) when a stop
   * is requested meanwhile: nothing was committed, so the next start replays the batch.
   */
  private async withRetry<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await fn();
        if (this.p.state === 'retrying') this.update({ state: 'running' });
        return result;
      } catch (e) {
        if (!isTransient(e) || this.stopping) throw e;
        await this.backoff(attempt, e);
        if (this.stopping) throw e;
      }
    }
  }

  private async backoff(attempt: number, e: unknown): Promise<void> {
    this.update({ state: 'retrying', retries: this.p.retries + 1, lastError: describeError(e) });
    const delay = backoffDelay(attempt, this.o.retry, this.o.random);
    await Promise.race([this.o.sleep(delay), new Promise<void>((resolve) => (this.wakeSleep = resolve))]);
    this.wakeSleep = undefined;
  }

  private async process(events: RecordedEvent[]): Promise<void> {
    const target = this.target!;
    const prepared = prepareBatch(events, this.o.projection, this.o.upcast, (p) =>
      this.o.eventStore.positionKey(p),
    );
    const loaded = await this.o.store.loadDocuments<ReadDocument>(target, documentIds(prepared));
    const folded = foldBatch(this.o.projection, prepared, loaded);
    const last = events[events.length - 1];
    const checkpoint = { position: last.position, key: prepared[prepared.length - 1].key };
    await this.o.store.commitBatch(target, folded.writes, checkpoint, folded.parked);
    this.checkpoint = checkpoint;
    this.update({
      caughtUp: false,
      lastEventAt: last.recordedAt,
      batches: this.p.batches + 1,
      applied: this.p.applied + folded.applied,
      skipped: this.p.skipped + folded.skipped,
      parked: this.p.parked + folded.parked.length,
    });
  }

  /**
   * Nothing arrived for `idleMs`. The subscription only delivers this projection's event types,
   * so the checkpoint would stay behind the head forever if the last events are of other types,
   * and a reader waiting for such a position would time out. When no handled event lies after
   * the checkpoint (read after taking the head, so nothing older can be in flight), the head is
   * committed as the checkpoint. Returns whether the projection is caught up.
   */
  private async idle(): Promise<boolean> {
    // A switch made by another process (the CLI's rebuild) is noticed here when no event comes.
    if (!this.fixedTarget && (await this.o.store.getState(this.name))?.liveTarget !== this.target) {
      throw new StaleTargetError(this.target!);
    }
    const store = this.o.eventStore;
    const head = await store.headPosition();
    if (head && !(this.checkpoint && store.comparePositions(this.checkpoint.position, head) >= 0)) {
      const pending = await store.readAll({ from: this.checkpoint?.position, limit: 1, filter: this.filter });
      if (pending.length > 0) return false;
      await this.advanceTo(head);
      this.update({ caughtUp: true });
    } else if (!this.p.caughtUp) {
      this.update({ caughtUp: true });
    }
    return true;
  }

  /**
   * `untilCaughtUp` under constant writes: the log never goes idle, so "caught up" means no
   * handled event left up to a head sampled earlier. Having reached one, chase a fresh head a
   * couple of times so little is left for the live worker after a switch, but never forever.
   */
  private async reachedHead(): Promise<boolean> {
    const store = this.o.eventStore;
    this.chasedHead ??= await store.headPosition();
    if (this.chasedHead === undefined) return true;
    const next = await store.readAll({ from: this.checkpoint?.position, limit: 1, filter: this.filter });
    if (next.length && store.comparePositions(next[0].position, this.chasedHead) <= 0) return false;
    const head = await store.headPosition();
    if (++this.chases >= 3 || head === this.chasedHead) {
      // No handled event lies up to the chased head: the copy reflects it. Without this, a copy
      // whose last handled event is older than the head would report (and serve X-Position) less.
      await this.advanceTo(this.chasedHead);
      this.update({ caughtUp: true });
      return true;
    }
    this.chasedHead = head;
    return false;
  }

  /** Moves the checkpoint forward to a position that no unprojected handled event precedes. */
  private async advanceTo(position: string): Promise<void> {
    const store = this.o.eventStore;
    if (this.checkpoint && store.comparePositions(this.checkpoint.position, position) >= 0) return;
    const checkpoint = { position, key: store.positionKey(position) };
    await this.o.store.commitBatch(this.target!, [], checkpoint);
    this.checkpoint = checkpoint;
  }
}
