import type { TaskEventType } from '../task.events';

/**
 * An event as a store hands it back: the type is any string and the data any shape, because
 * stored events are never rewritten. A `RecordedEvent` from the event-store port fits as is.
 */
export interface StoredEvent {
  readonly type: string;
  readonly data: unknown;
  readonly metadata: Readonly<Record<string, unknown>>;
}

/** Turns the data of `type` at `fromVersion` into the shape of `fromVersion + 1`. */
export interface Upcaster {
  readonly type: TaskEventType;
  readonly fromVersion: number;
  upcast(data: unknown): unknown;
}

/** A stored event that cannot become a current one. Not a client's fault: it means bad data or code. */
export class UpcastError extends Error {
  constructor(
    message: string,
    readonly eventType: string,
    readonly schemaVersion?: unknown,
  ) {
    super(message);
    this.name = 'UpcastError';
  }
}
