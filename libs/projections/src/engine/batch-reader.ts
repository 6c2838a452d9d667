import type { RecordedEvent } from '@ledger/event-store';

export interface BatchLimits {
  /** Most events in one batch. */
  readonly batchSize: number;
  /** Longest a batch stays open after its first event. */
  readonly batchMs: number;
  /** How long to wait for a first event before reporting the subscription idle. */
  readonly idleMs: number;
}

export interface Batch {
  readonly events: RecordedEvent[];
  /** The subscription ended (closed); no more events will come from it. */
  readonly done: boolean;
}

const TIMEOUT = Symbol('timeout');
const INTERRUPTED = Symbol('interrupted');
type Pulled = IteratorResult<RecordedEvent> | typeof TIMEOUT | typeof INTERRUPTED;

/**
 * Cuts a subscription into batches of `batchSize` events or `batchMs`, whichever comes first.
 * The `next()` promise of an iterator cannot be cancelled, so one that loses a race against the
 * timer is kept and awaited by the next batch: no event is dropped or reordered between batches.
 */
export class BatchReader {
  private pending?: Promise<IteratorResult<RecordedEvent>>;
  private interrupt?: () => void;
  private readonly interrupted: Promise<typeof INTERRUPTED>;

  constructor(
    private readonly iterator: AsyncIterator<RecordedEvent>,
    private readonly limits: BatchLimits,
  ) {
    this.interrupted = new Promise((resolve) => (this.interrupt = () => resolve(INTERRUPTED)));
  }

  /** Makes the current and every later `next()` return at once with what it has (graceful stop). */
  stop(): void {
    this.interrupt?.();
  }

  async next(): Promise<Batch> {
    const events: RecordedEvent[] = [];
    const first = await this.pull(this.limits.idleMs);
    if (first === TIMEOUT || first === INTERRUPTED) return { events, done: false };
    if (first.done) return { events, done: true };
    events.push(first.value);

    // One timer per batch, not per event: catch-up batches are pulled from already-read pages.
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<typeof TIMEOUT>((resolve) => (timer = setTimeout(() => resolve(TIMEOUT), this.limits.batchMs)));
    try {
      while (events.length < this.limits.batchSize) {
        const r = await this.race(deadline);
        if (r === TIMEOUT || r === INTERRUPTED) break;
        if (r.done) return { events, done: true };
        events.push(r.value);
      }
    } finally {
      clearTimeout(timer);
    }
    return { events, done: false };
  }

  private async pull(ms: number): Promise<Pulled> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<typeof TIMEOUT>((resolve) => (timer = setTimeout(() => resolve(TIMEOUT), ms)));
    try {
      return await this.race(timeout);
    } finally {
      clearTimeout(timer);
    }
  }

  private async race(timeout: Promise<typeof TIMEOUT>): Promise<Pulled> {
    this.pending ??= this.iterator.next();
    const r = await Promise.race([this.pending, timeout, this.interrupted]);
    if (r !== TIMEOUT && r !== INTERRUPTED) this.pending = undefined;
    return r;
  }
}
