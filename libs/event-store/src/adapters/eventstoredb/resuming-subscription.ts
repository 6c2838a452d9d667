import type { Position, RecordedEvent, Subscription } from '../../core';
import { backoffDelay, DEFAULT_RESUBSCRIBE_BACKOFF, type BackoffOptions } from './esdb-backoff';

/** One server subscription: catch-up then live, from a position; ends or fails when dropped. */
export interface SubscriptionSource {
  readonly events: AsyncIterator<RecordedEvent>;
  stop(): Promise<void>;
}

export interface ResumingSubscriptionOptions {
  /** Exclusive lower bound; undefined starts at the beginning of the log. */
  readonly from?: Position;
  /** Opens a source after `from`; it may repeat the event at `from` (the guard drops it). */
  readonly open: (from: Position | undefined) => SubscriptionSource;
  /** Client-side filter; events it rejects still move the resume point forward. */
  readonly accept: (event: RecordedEvent) => boolean;
  readonly compare: (a: Position, b: Position) => number;
  /** False for failures a retry cannot fix (access denied, bad position): they end the iteration. */
  readonly isRetryable: (error: unknown) => boolean;
  readonly mapError: (error: unknown) => unknown;
  readonly backoff?: BackoffOptions;
  readonly random?: () => number;
  /** Called once, when the subscription closes for any reason. */
  readonly onClose?: () => void;
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * Wraps server subscriptions so a dropped connection is invisible to the consumer: it reopens
 * from the last event it saw, with capped exponential backoff, and drops anything at or before
 * that event, so nothing is delivered twice and nothing is skipped (positions are totally ordered).
 */
export class ResumingSubscription implements Subscription {
  private closed = false;
  private signalClosed!: () => void;
  private readonly whenClosed = new Promise<void>((resolve) => (this.signalClosed = resolve));
  private source: SubscriptionSource | undefined;
  private lastSeen: Position | undefined;
  private failures = 0;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: ResumingSubscriptionOptions) {
    this.lastSeen = options.from;
  }

  [Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    return {
      // Serialised so a consumer calling next() twice cannot interleave two pulls.
      next: () => {
        const result = this.queue.then(() => this.pull());
        this.queue = result.catch(() => undefined);
        return result;
      },
      return: async () => {
        await this.close();
        return DONE;
      },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.signalClosed();
    this.options.onClose?.();
    await this.dropSource();
  }

  private async pull(): Promise<IteratorResult<RecordedEvent>> {
    while (!this.closed) {
      let step: IteratorResult<RecordedEvent> | undefined;
      try {
        this.source ??= this.options.open(this.lastSeen);
        const next = this.source.events.next();
        next.catch(() => undefined); // may settle after close; its outcome no longer matters
        step = await Promise.race([next, this.whenClosed.then(() => undefined)]);
      } catch (error) {
        if (this.closed) break;
        if (!this.options.isRetryable(error)) {
          await this.close();
          throw this.options.mapError(error);
        }
        await this.pauseBeforeResubscribe();
        continue;
      }
      if (this.closed || step === undefined) break;
      if (step.done) {
        // The server ended a subscription we did not close: resume it like a dropped one.
        await this.pauseBeforeResubscribe();
        continue;
      }
      this.failures = 0;
      const event = step.value;
      if (this.lastSeen !== undefined && this.options.compare(event.position, this.lastSeen) <= 0) continue;
      this.lastSeen = event.position;
      if (this.options.accept(event)) return { done: false, value: event };
    }
    return DONE;
  }

  private async pauseBeforeResubscribe(): Promise<void> {
    await this.dropSource();
    const delay = backoffDelay(
      this.failures++,
      this.options.backoff ?? DEFAULT_RESUBSCRIBE_BACKOFF,
      this.options.random,
    );
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => (timer = setTimeout(resolve, delay))),
      this.whenClosed,
    ]);
    clearTimeout(timer);
  }

  private async dropSource(): Promise<void> {
    const source = this.source;
    this.source = undefined;
    // A source that is already broken may fail to stop; it is being abandoned either way.
    await source?.stop().catch(() => undefined);
  }
}
