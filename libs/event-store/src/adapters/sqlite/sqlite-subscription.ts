import { isUnavailable } from '@ledger/platform/errors';
import type { EventFilter, RecordedEvent, Subscription } from '../../core';

/** One page of the log and where the next read starts (a row id). */
export interface Page {
  readonly events: RecordedEvent[];
  readonly next: number;
}

export interface PageSource {
  /** Throws UnavailableError when the file cannot be read right now. */
  readPage(after: number, limit: number, filter: EventFilter | undefined): Page;
}

/**
 * Fired by the store after each commit, so a subscriber in the same process wakes at once
 * instead of at its next poll. `version` lets a subscriber notice commits that happened while it
 * was busy handing out events (when it was not listening).
 */
export class CommitSignal {
  private count = 0;
  private readonly listeners = new Set<() => void>();

  get version(): number {
    return this.count;
  }

  fire(): void {
    this.count++;
    for (const listener of this.listeners) listener();
  }

  listen(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export interface SubscriptionOptions {
  readonly from: number;
  readonly filter?: EventFilter;
  readonly pageSize: number;
  /** Poll interval while caught up, for commits made by other processes (no signal crosses them). */
  readonly pollMs: number;
  readonly onClose: () => void;
}

const MAX_BACKOFF_MS = 1000;

/**
 * Catch-up then live over one SQLite file: read pages of at most `pageSize` events (memory stays
 * bounded however far behind we start), and once a page comes back short, wait for a commit
 * signal or the poll timer. The cursor only moves forward; see `readPage` for why that never
 * skips an event.
 */
export function createSqliteSubscription(
  source: PageSource,
  signal: CommitSignal,
  options: SubscriptionOptions,
): Subscription {
  let closed = false;
  let wake: (() => void) | undefined;

  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    wake?.();
    options.onClose();
  };

  const pause = (ms: number, seenVersion?: number): Promise<void> => {
    if (seenVersion !== undefined && signal.version !== seenVersion) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      const unlisten = seenVersion === undefined ? undefined : signal.listen(done);
      function done(): void {
        clearTimeout(timer);
        unlisten?.();
        wake = undefined;
        resolve();
      }
      wake = done;
    });
  };

  async function* run(): AsyncGenerator<RecordedEvent> {
    let cursor = options.from;
    let backoff = 10;
    try {
      while (!closed) {
        const seenVersion = signal.version;
        let page: Page;
        try {
          page = source.readPage(cursor, options.pageSize, options.filter);
          backoff = 10;
        } catch (e) {
          // A locked or briefly unreadable file is retried, as "resumes after a dropped connection".
          if (!isUnavailable(e)) throw e;
          await pause(backoff);
          backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
          continue;
        }
        for (const event of page.events) {
          if (closed) return;
          yield event;
        }
        cursor = page.next;
        if (page.events.length < options.pageSize && !closed) await pause(options.pollMs, seenVersion);
      }
    } finally {
      // Also reached when the consumer leaves its for-await loop early (break / throw).
      await close();
    }
  }

  const iterator = run();
  return {
    [Symbol.asyncIterator]: () => iterator,
    close,
  };
}
