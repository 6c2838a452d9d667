import { isUnavailable } from '@ledger/platform/errors';
import type { EventFilter, RecordedEvent, Subscription } from '../../core';
import type { Page, PageSource } from './sqlite-event-queries';
import type { SqliteLiveTail, TailMember } from './sqlite-live-tail';

export type { Page, PageSource };

export interface SubscriptionOptions {
  readonly from: number;
  readonly filter?: EventFilter;
  readonly pageSize: number;
  readonly onClose: () => void;
}

const MAX_BACKOFF_MS = 1000;

/** The port's filter in memory, exactly as the SQL of `readPage` applies it. */
export function eventMatcher(filter: EventFilter | undefined): (event: RecordedEvent) => boolean {
  const prefixes = filter?.streamPrefixes ?? [];
  const types = new Set(filter?.eventTypes ?? []);
  return (event) =>
    (types.size === 0 || types.has(event.type)) &&
    (prefixes.length === 0 || prefixes.some((p) => event.streamName.startsWith(p)));
}

/**
 * Catch-up then live over one SQLite file. Catching up, it reads pages of at most `pageSize`
 * events itself (memory stays bounded however far behind it starts); once a page comes back
 * short it is at the head and joins the store's live tail, which hands it every later event.
 * It leaves the tail again when its consumer falls more than a page behind, and catches up by
 * itself from where it was. Its cursor only moves forward; see `readPage` for why that never
 * skips an event.
 */
export function createSqliteSubscription(
  source: PageSource,
  tail: SqliteLiveTail,
  options: SubscriptionOptions,
): Subscription {
  const matches = eventMatcher(options.filter);
  let closed = false;
  let attached = false;
  let failure: { readonly error: unknown } | undefined;
  let queue: RecordedEvent[] = [];
  let head = 0;
  let wake: (() => void) | undefined;

  const member: TailMember = {
    cursor: options.from,
    receive(events, next) {
      const cursor = member.cursor;
      for (const event of events) {
        if (matches(event) && Number(event.position) > cursor) queue.push(event);
      }
      if (next > cursor) member.cursor = next;
      if (queue.length - head > options.pageSize) detach();
      if (queue.length > head) wake?.();
    },
    fail(error) {
      attached = false;
      failure = { error };
      wake?.();
    },
  };

  const detach = (): void => {
    if (!attached) return;
    attached = false;
    tail.leave(member);
  };

  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    detach();
    wake?.();
    options.onClose();
  };

  const sleep = (ms: number): Promise<void> =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });

  const woken = (): Promise<void> =>
    new Promise<void>((resolve) => {
      wake = () => {
        wake = undefined;
        resolve();
      };
    });

  async function* run(): AsyncGenerator<RecordedEvent> {
    let backoff = 10;
    try {
      while (!closed) {
        if (head < queue.length) {
          const event = queue[head++];
          if (head === queue.length) {
            queue = [];
            head = 0;
          }
          yield event;
          continue;
        }
        if (failure) throw failure.error;
        if (attached) {
          await woken();
          continue;
        }
        let page: Page;
        try {
          page = source.readPage(member.cursor, options.pageSize, options.filter);
          backoff = 10;
        } catch (e) {
          // A locked or briefly unreadable file is retried, as "resumes after a dropped connection".
          if (!isUnavailable(e)) throw e;
          await sleep(backoff);
          backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
          continue;
        }
        queue = page.events;
        head = 0;
        member.cursor = Math.max(member.cursor, page.next);
        if (page.events.length < options.pageSize && !closed) {
          attached = true;
          tail.join(member);
        }
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
