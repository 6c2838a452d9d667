/**
 * Opaque, totally ordered token naming a place in the global log. Serialised as a string;
 * compare only with `EventStore.comparePositions` (SQLite: the row id, EventStoreDB: commit/prepare).
 */
export type Position = string;

/** `'no_stream'`: the stream must not exist. `'any'`: no check. A bigint: the stream's current revision. */
export type ExpectedRevision = 'no_stream' | 'any' | bigint;

export interface NewEvent {
  /** UUID. Deterministic when the command carried an idempotency key, so a retried append dedupes. */
  readonly id: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: Record<string, unknown>;
}

export interface RecordedEvent {
  readonly id: string;
  readonly streamName: string;
  /** 0 for a stream's first event, as in EventStoreDB. */
  readonly revision: bigint;
  readonly position: Position;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: Record<string, unknown>;
  readonly recordedAt: Date;
}

export interface AppendResult {
  /** The stream's revision after the append: the revision of its last event. */
  readonly nextRevision: bigint;
  /** Position of the last event of the append. */
  readonly position: Position;
  /** True when every event id was already stored: nothing was written, the original result is returned. */
  readonly deduplicated?: boolean;
}

export interface EventFilter {
  /** Only events whose stream name starts with one of these. */
  readonly streamPrefixes?: readonly string[];
  /** Only events of these types. */
  readonly eventTypes?: readonly string[];
}

export interface ReadAllOptions {
  /** Exclusive lower bound; undefined reads from the beginning. */
  readonly from?: Position;
  readonly limit: number;
  readonly filter?: EventFilter;
}

export interface SubscribeOptions {
  /** Exclusive lower bound; undefined starts at the beginning of the log. */
  readonly from?: Position;
  readonly filter?: EventFilter;
}

/**
 * Catch-up then live, in position order, with no gap and no duplicate. Iterate with
 * `for await`; `close()` ends the iteration. Resumes by itself after a dropped connection.
 */
export interface Subscription extends AsyncIterable<RecordedEvent> {
  close(): Promise<void>;
}

export interface EventStore {
  /**
   * Appends atomically. Throws `WrongExpectedVersion` (with the actual revision) on a mismatch.
   * If every event id was stored before in this stream, writes nothing and returns the original
   * result with `deduplicated: true`.
   * @example await store.append('task-1', [{ id, type: 'TaskCreated', data, metadata }], 'no_stream')
   */
  append(stream: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult>;

  /** All events of a stream in revision order; `[]` when it does not exist. */
  readStream(stream: string): Promise<RecordedEvent[]>;

  /** One page of the global log after `from`, in position order. */
  readAll(options: ReadAllOptions): Promise<RecordedEvent[]>;

  subscribeToAll(options?: SubscribeOptions): Subscription;

  /** Position of the last event in the log, or undefined when empty. */
  headPosition(): Promise<Position | undefined>;

  /** Negative, zero or positive like `Array.sort`. */
  comparePositions(a: Position, b: Position): number;

  /**
   * A fixed-width string whose lexical order is the position order, for stores that must
   * compare positions themselves (MongoDB's `_position` guard, SQL `WHERE`).
   * @example store.positionKey('42') // '00000000000000000042' on SQLite
   */
  positionKey(position: Position): string;

  close(): Promise<void>;
}

export const EVENT_STORE = Symbol('EVENT_STORE');
