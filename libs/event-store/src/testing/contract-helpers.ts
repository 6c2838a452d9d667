import { randomUUID } from 'node:crypto';
import type { EventStore, NewEvent, Position, RecordedEvent, Subscription } from '../core';

/**
 * The contract suites also run against shared servers (EventStoreDB) whose log is never empty
 * and may be written by other tests at the same time. So every test works in its own namespace:
 * stream names start with a unique prefix, event types carry a unique suffix, and global-log
 * reads start from the head captured before the test and filter on that prefix.
 */
export interface Namespace {
  /** Stream-name prefix owned by this test, e.g. `ct3f9a1c2b-`. */
  readonly prefix: string;
  stream(name: string): string;
  /** An event type no other test uses. */
  type(name: string): string;
}

export const namespace = (): Namespace => {
  const tag = randomUUID().replace(/-/g, '').slice(0, 12);
  const prefix = `ct${tag}-`;
  return { prefix, stream: (name) => `${prefix}${name}`, type: (name) => `${name}_${tag}` };
};

export const newEvent = (
  type: string,
  data: unknown = {},
  metadata: Record<string, unknown> = {},
): NewEvent => ({
  id: randomUUID(),
  type,
  data,
  metadata,
});

export const events = (n: number, type: string): NewEvent[] =>
  Array.from({ length: n }, (_, i) => newEvent(type, { i }));

/** Runs `fn` against a fresh store and always closes it, so a failing test cannot leak handles. */
export const usingStore = async <T extends { close(): Promise<void> }>(
  make: () => Promise<T>,
  fn: (store: T) => Promise<void>,
): Promise<void> => {
  const store = await make();
  try {
    await fn(store);
  } finally {
    await store.close();
  }
};

/** Captures a thrown value so the test can assert on its class and fields. */
export const caught = async (p: Promise<unknown>): Promise<unknown> => {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the promise to reject, but it resolved');
};

const timeout = (ms: number, what: () => string): { promise: Promise<never>; cancel: () => void } => {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what()}`)), ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
};

/**
 * Pulls exactly `n` events from a live iterator, racing a timer so a broken subscription fails
 * the test instead of hanging it. The iterator is left open: the caller decides when to close.
 */
export const take = async (
  it: AsyncIterator<RecordedEvent>,
  n: number,
  ms = 4000,
): Promise<RecordedEvent[]> => {
  const out: RecordedEvent[] = [];
  const t = timeout(ms, () => `received ${out.length} of ${n} events`);
  try {
    while (out.length < n) {
      const next = await Promise.race([it.next(), t.promise]);
      if (next.done) throw new Error(`subscription ended after ${out.length} of ${n} events`);
      out.push(next.value);
    }
    return out;
  } finally {
    t.cancel();
  }
};

/** Resolves with the next event if one arrives within `ms`, else undefined. */
export const nextWithin = async (
  it: AsyncIterator<RecordedEvent>,
  ms: number,
): Promise<IteratorResult<RecordedEvent> | undefined> => {
  let timer: NodeJS.Timeout | undefined;
  const quiet = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([it.next(), quiet]);
  } finally {
    clearTimeout(timer);
  }
};

export const iteratorOf = (sub: Subscription): AsyncIterator<RecordedEvent> => sub[Symbol.asyncIterator]();

export const expectStrictlyIncreasing = (store: EventStore, positions: readonly Position[]): void => {
  for (let i = 1; i < positions.length; i++) {
    const cmp = store.comparePositions(positions[i - 1], positions[i]);
    if (!(cmp < 0)) {
      throw new Error(`position #${i} (${positions[i]}) is not after #${i - 1} (${positions[i - 1]})`);
    }
  }
};

/** Reads every event of this test's namespace after `from`, page by page. */
export const readNamespace = async (
  store: EventStore,
  ns: Namespace,
  from: Position | undefined,
  pageSize = 500,
): Promise<RecordedEvent[]> => {
  const out: RecordedEvent[] = [];
  let cursor = from;
  for (;;) {
    const page = await store.readAll({
      from: cursor,
      limit: pageSize,
      filter: { streamPrefixes: [ns.prefix] },
    });
    out.push(...page);
    if (page.length < pageSize) return out;
    cursor = page[page.length - 1].position;
  }
};
