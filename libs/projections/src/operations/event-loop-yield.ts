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

function yieldingSubscription(sub: Subscription, everyMs: number, endAfter: number): Subscription {
  return {
    close: () => sub.close(),
    [Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
      const it = sub[Symbol.asyncIterator]();
      const breathe = breather(everyMs);
      let delivered = 0;
      return {
        next: async () => {
          if (delivered >= endAfter) {
            await sub.close();
            return { done: true, value: undefined };
          }
          await breathe();
          const r = await it.next();
          if (!r.done) delivered++;
          return r;
        },
        return: async (value?: unknown) => (it.return ? it.return(value) : { done: true, value: undefined }),
      };
    },
  };
}

export interface YieldingOptions {
  /** Longest run without a turn of the event loop (default 20 ms). */
  readonly everyMs?: number;
  /**
   * End each subscription after this many events (default 20,000). The worker then commits its
   * batch and subscribes again from its checkpoint: nothing is lost or repeated. Why: the engine's
   * BatchReader races every event against one promise that only settles at stop, and each race
   * leaves a reaction on it, so memory grows with the events read by one subscription (1.8 GB
   * for a 1M-event rebuild here). Short-lived subscriptions bound it until the reader is fixed.
   */
  readonly endAfter?: number;
}

/** The same store, whose subscriptions let the event loop turn while they catch up (see breather). */
export function yieldingEventStore(store: EventStore, options: YieldingOptions = {}): EventStore {
  const everyMs = options.everyMs ?? 20;
  const endAfter = options.endAfter ?? 20_000;
  return {
    append: (stream, events, expected) => store.append(stream, events, expected),
    readStream: (stream) => store.readStream(stream),
    readAll: (o) => store.readAll(o),
    subscribeToAll: (o) => yieldingSubscription(store.subscribeToAll(o), everyMs, endAfter),
    headPosition: () => store.headPosition(),
    comparePositions: (a, b) => store.comparePositions(a, b),
    positionKey: (p) => store.positionKey(p),
    close: () => store.close(),
  };
}
