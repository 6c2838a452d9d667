import type { EventStore, RecordedEvent, Subscription } from '@ledger/event-store';

const immediate = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Resolves after a turn of the event loop when `everyMs` passed since the last one, else at once.
 * Why: with the synchronous SQLite driver, a long read-fold-write loop is one unbroken chain of
 * already-resolved promises; timers (lease renewal, progress lines) and signal handlers (Ctrl-C)
 * would not run until it ends. One turn every 20 ms costs nothing measurable.
 */
export function breather(everyMs = 20): () => Promise<void> {
  let last = Date.now();
  return async () => {
    if (Date.now() - last < everyMs) return;
    await immediate();
    last = Date.now();
  };
}

function yieldingSubscription(sub: Subscription, everyMs: number): Subscription {
  return {
    close: () => sub.close(),
    [Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
      const it = sub[Symbol.asyncIterator]();
      const breathe = breather(everyMs);
      return {
        next: async () => {
          await breathe();
          return it.next();
        },
        return: async (value?: unknown) => (it.return ? it.return(value) : { done: true, value: undefined }),
      };
    },
  };
}

/** The same store, whose subscriptions let the event loop turn while they catch up (see breather). */
export function yieldingEventStore(store: EventStore, everyMs = 20): EventStore {
  return {
    append: (stream, events, expected) => store.append(stream, events, expected),
    readStream: (stream) => store.readStream(stream),
    readAll: (options) => store.readAll(options),
    subscribeToAll: (options) => yieldingSubscription(store.subscribeToAll(options), everyMs),
    headPosition: () => store.headPosition(),
    comparePositions: (a, b) => store.comparePositions(a, b),
    positionKey: (p) => store.positionKey(p),
    close: () => store.close(),
  };
}
