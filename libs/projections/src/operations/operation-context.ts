import type { EventStore, Position } from '@ledger/event-store';
import { LedgerError } from '@ledger/platform/errors';
import { TASK_STREAM_PREFIX, upcast as upcastTaskEvent } from '@ledger/tasks';
import type { Projection, ReadDocument } from '../core/projection';
import type { Checkpoint, ProjectionStore } from '../core/projection-store.port';
import type { Upcast } from '../engine/fold-batch';
import { breather } from './event-loop-yield';
import { inferRecomputeScope, type RecomputeScope } from './recompute-scope';

/** What every read-model operation needs; the defaults are the projector's. */
export interface OperationOptions {
  readonly projection: Projection<ReadDocument>;
  readonly eventStore: EventStore;
  readonly store: ProjectionStore;
  /** Inferred from the projection's `documentId` when absent (see inferRecomputeScope). */
  readonly scope?: RecomputeScope;
  readonly upcast?: Upcast;
  readonly streamPrefix?: string;
  /** Documents or log events per page (default 500). */
  readonly pageSize?: number;
  /** Streams read at once (default 16): SQLite reads are synchronous anyway, remote stores gain. */
  readonly concurrency?: number;
  /** Stops after the page in hand; what was done stays done. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: OperationProgress) => void;
}

/** Periodic progress of a long operation, for a progress bar or a log line. */
export interface OperationProgress {
  readonly operation: string;
  readonly projection: string;
  readonly phase: string;
  /** Units done so far in this phase (documents, streams or events: see `unit`). */
  readonly done: number;
  readonly unit: string;
  /** 0..1 when it can be estimated (see positionFraction), for a bar and an ETA. */
  readonly fraction?: number;
}

export interface OperationContext {
  readonly projection: Projection<ReadDocument>;
  readonly eventStore: EventStore;
  readonly store: ProjectionStore;
  readonly scope: RecomputeScope;
  readonly upcast: Upcast;
  readonly streamPrefix: string;
  readonly pageSize: number;
  readonly concurrency: number;
  readonly signal?: AbortSignal;
  readonly target: string;
  /** The live target's checkpoint when the operation started: the moment of the log it works on. */
  readonly checkpoint?: Checkpoint;
  readonly positionKey: (p: Position) => string;
  /** Call once per page: lets timers and signal handlers run (see breather). */
  readonly breathe: () => Promise<void>;
  progress(phase: string, done: number, unit: string, fraction?: number): void;
}

export class ProjectionNotRegisteredError extends LedgerError {
  readonly code = 'projection_not_registered';
  constructor(readonly projection: string) {
    super(`projection ${projection} has no read model yet (the projector never ran it): nothing to work on`, {
      projection,
    });
  }
}

export async function operationContext(operation: string, o: OperationOptions): Promise<OperationContext> {
  const state = await o.store.getState(o.projection.name);
  if (!state) throw new ProjectionNotRegisteredError(o.projection.name);
  const streamPrefix = o.streamPrefix ?? TASK_STREAM_PREFIX;
  return {
    projection: o.projection,
    eventStore: o.eventStore,
    store: o.store,
    scope: o.scope ?? inferRecomputeScope(o.projection, streamPrefix),
    upcast: o.upcast ?? upcastTaskEvent,
    streamPrefix,
    pageSize: o.pageSize ?? 500,
    concurrency: o.concurrency ?? 16,
    signal: o.signal,
    target: state.liveTarget,
    checkpoint: state.checkpoint,
    positionKey: (p) => o.eventStore.positionKey(p),
    breathe: breather(),
    progress: (phase, done, unit, fraction) =>
      o.onProgress?.({ operation, projection: o.projection.name, phase, done, unit, fraction }),
  };
}

/** Runs `fn` over `items` with at most `limit` in flight; results in input order. */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

const leadingNumber = (position: Position | undefined): number | undefined => {
  const m = position === undefined ? null : /^\d+/.exec(position);
  return m ? Number(m[0]) : undefined;
};

/**
 * How far `position` is between `from` and `to`, for progress bars and `status` only. Positions
 * are opaque, but both stores' start with a number that grows with the log (SQLite: the row id;
 * EventStoreDB: the commit offset in bytes), which is good enough for a percentage and an ETA.
 * undefined when a position does not start with a number.
 */
export function positionFraction(
  position: Position | undefined,
  to: Position | undefined,
  from?: Position,
): number | undefined {
  const [p, t, f] = [
    leadingNumber(position) ?? 0,
    leadingNumber(to),
    from === undefined ? 0 : leadingNumber(from),
  ];
  if (t === undefined || f === undefined) return undefined;
  if (t <= f) return 1;
  return Math.min(1, Math.max(0, (p - f) / (t - f)));
}

/** Where a document id lies in the id space, assuming ids start with hex (UUIDs): a scan's progress. */
export function idFraction(id: string): number | undefined {
  const m = /^[0-9a-f]{1,8}/i.exec(id);
  return m ? parseInt(m[0].padEnd(8, '0'), 16) / 0x1_0000_0000 : undefined;
}
