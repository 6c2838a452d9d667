import type { Position } from '@ledger/event-store';

export type WorkerState = 'starting' | 'running' | 'retrying' | 'stopping' | 'stopped' | 'failed';

/** A worker's in-memory view, cheap to read on every batch (metrics, CLI progress bars). */
export interface ProjectionProgress {
  readonly projection: string;
  /** The target this worker writes to (the live one, or a rebuild's shadow). */
  readonly target?: string;
  readonly state: WorkerState;
  /** Last committed position: every event up to it is in the read model. */
  readonly checkpoint?: Position;
  /** `recordedAt` of the last event this worker committed. */
  readonly lastEventAt?: Date;
  /** True after an idle check found no event of this projection after the checkpoint. */
  readonly caughtUp: boolean;
  readonly batches: number;
  /** Events folded into documents by this worker since it started. */
  readonly applied: number;
  /** Events found already applied (at or before their document's position): replays. */
  readonly skipped: number;
  readonly parked: number;
  /** Transient failures retried since start. */
  readonly retries: number;
  readonly lastError?: string;
}

/**
 * How far behind the store head a projection is. `eventsBehind` counts, through the event
 * store, the events this projection handles after its checkpoint: exact up to the count limit,
 * then reported at the limit with `eventsBehindCapped`. (A position distance would be cheaper
 * but positions are opaque: an EventStoreDB commit position is a byte offset, not a count.)
 * `secondsBehind` is now minus `recordedAt` of the oldest event not yet projected, so one new
 * event after a quiet hour reads as milliseconds behind, not an hour; 0 when caught up.
 */
export interface ProjectionLag {
  readonly projection: string;
  readonly checkpoint?: Position;
  readonly head?: Position;
  readonly eventsBehind: number;
  readonly eventsBehindCapped: boolean;
  readonly secondsBehind: number;
}

export type ProgressListener = (progress: ProjectionProgress) => void;
