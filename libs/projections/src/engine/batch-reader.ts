import type { RecordedEvent } from '@ledger/event-store';

export interface BatchLimits {
  /** Most events in one batch. */
  readonly batchSize: number;
  /** Longest a batch stays open after its first event. */
  readonly batchMs: number;
  /** How long to wait for a first event before reporting the subscription idle. */
  readonly idleMs: number;
  /** Close the batch when no further event is ready instead of waiting out `batchMs`. */
  readonly flushAtLiveEdge?: boolean;
}

export interface Batch {
  readonly events: RecordedEvent[];
  /** The subscription ended (closed); no more events will come from it. */
  readonly done: boolean;
}

const TIMEOUT = Symbol('timeout');
const INTERRUPTED = Symbol('interrupted');
const CAUGHT_UP = Symbol('caught-up');
type Pulled = IteratorResult<RecordedEvent> | typeof TIMEOUT | typeof INTERRUPTED | typeof CAUGHT_UP;

/** Resolves after pending I/O callbacks: an event already read from the store arrives before it. */
const afterIo = () => new Promise<typeof CAUGHT_UP>((resolve) => setImmediate(() => resolve(CAUGHT_UP)));

/**
 * Cuts a subscription into batches of `batchSize` events or `batchMs`, whichever comes first,
 * and closes a batch early when the subscription has nothing more ready (the live edge): a
 * reader waiting on X-Min-Position must not wait out the batch window for events that are
 * not coming. Under load, events arrive while a batch commits, so batches still grow.
 * The `next()` promise of an iterator cannot be cancelled, so one that loses a race against the
 * timer is kept and awaited by the next batch: no event is dropped or reordered between batches.
 */
export class BatchReader {
  private pending?: Promise<IteratorResult<RecordedEvent>>;
  private stopped = false;
  /** A batch with at least one event is open (what `cut` may close). */
  private collecting = false;
  /**
   * One waker per race in flight. A single never-settling "interrupted" promise raced against
   * every event would keep one reaction per event alive until stop: a leak in a live projector.
   */
  private readonly wakers = new Set<() => void>();

  constructor(
    private readonly iterator: AsyncIterator<RecordedEvent>,
    private readonly limits: BatchLimits,
  ) {}

  /** Makes the current and every later `next()` return at once with what it has (graceful stop). */
  stop(): void {
    this.stopped = true;
    for (const wake of this.wakers) wake();
  }

  /**
   * Closes the batch being collected now, if it holds any event: someone waits for a position
   * (X-Min-Position) and should not wait for the batch's window or the next turn. Later batches
   * are collected as usual.
   */
  cut(): void {
    if (!this.collecting) return;
    for (const wake of this.wakers) wake();
  }

  async next(): Promise<Batch> {
    const events: RecordedEvent[] = [];
    const first = await this.pull(this.limits.idleMs);
    if (first === TIMEOUT || first === INTERRUPTED || first === CAUGHT_UP) return { events, done: false };
    if (first.done) return { events, done: true };
    events.push(first.value);

    // One timer per batch, not per event: catch-up batches are pulled from already-read pages.
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<typeof TIMEOUT>(
      (resolve) => (timer = setTimeout(() => resolve(TIMEOUT), this.limits.batchMs)),
    );
    this.collecting = true;
    try {
      while (events.length < this.limits.batchSize) {
        const r = await this.race(
          this.limits.flushAtLiveEdge ? Promise.race([deadline, afterIo()]) : deadline,
        );
        if (r === TIMEOUT || r === INTERRUPTED || r === CAUGHT_UP) break;
        if (r.done) return { events, done: true };
        events.push(r.value);
      }
    } finally {
      this.collecting = false;
      clearTimeout(timer);
    }
    return { events, done: false };
  }

  private async pull(ms: number): Promise<Pulled> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<typeof TIMEOUT>(
      (resolve) => (timer = setTimeout(() => resolve(TIMEOUT), ms)),
    );
    try {
      return await this.race(timeout);
    } finally {
      clearTimeout(timer);
    }
  }

  private async race(timeout: Promise<typeof TIMEOUT | typeof CAUGHT_UP>): Promise<Pulled> {
    if (this.stopped) return INTERRUPTED;
    this.pending ??= this.iterator.next();
    let wake!: () => void;
    const interrupted = new Promise<typeof INTERRUPTED>((resolve) => (wake = () => resolve(INTERRUPTED)));
    this.wakers.add(wake);
    try {
      const r = await Promise.race([this.pending, timeout, interrupted]);
      if (r !== TIMEOUT && r !== INTERRUPTED && r !== CAUGHT_UP) this.pending = undefined;
      return r;
    } finally {
      this.wakers.delete(wake);
    }
  }
}
