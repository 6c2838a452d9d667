import type { EventStore, Position } from '@ledger/event-store';
import type { Projection, ReadDocument } from '../core/projection';
import type {
  Checkpoint,
  DocumentWrite,
  NewParkedEvent,
  ProjectionStatus,
  ProjectionStore,
  TargetState,
} from '../core/projection-store.port';
import { describeError } from '../engine/fold-batch';
import type { ProjectionProgress } from '../engine/projection-progress';
import type { ProjectionWorker, ProjectionWorkerOptions } from '../engine/projection-worker';
import { backoffDelay, DEFAULT_RETRY_POLICY, isTransient } from '../engine/retry-policy';
import type { CommitPipeline } from './rebuild-commit-pipeline';
import type { RebuildDocumentCache } from './rebuild-document-cache';

// What every step of a multi-projection rebuild shares: its options, each projection's run, helpers.

export interface RebuildResult {
  readonly projection: string;
  readonly target: string;
  /** False when aborted before the switch (resume by running the rebuild again). */
  readonly switched: boolean;
  /** True when an interrupted rebuild's shadow was continued rather than started afresh. */
  readonly resumed: boolean;
  readonly checkpoint?: Position;
  readonly applied: number;
  readonly parked: number;
}

/** A projection of a multi-projection rebuild that could not be rebuilt; the others went on. */
export interface RebuildFailure {
  readonly projection: string;
  readonly error: Error;
}

export type RebuildOutcome = RebuildResult | RebuildFailure;

export const isRebuildFailure = (o: RebuildOutcome): o is RebuildFailure => 'error' in o;

export type RebuildWorkerOptions = Partial<
  Omit<ProjectionWorkerOptions, 'projection' | 'eventStore' | 'store' | 'target'>
>;

export interface RebuildProjectionsOptions {
  readonly projections: readonly Projection<ReadDocument>[];
  readonly eventStore: EventStore;
  readonly store: ProjectionStore;
  /** Who holds the leases, shown to a second rebuild that is refused. */
  readonly owner?: string;
  readonly leaseTtlMs?: number;
  /**
   * Events per page of the one-pass read (default REBUILD_PAGE_SIZE); a projection commits a page
   * at a time, or the pages that queued behind a slow commit together.
   */
  readonly batchSize?: number;
  /**
   * Pages of each projection folded ahead of their commits (default COMMITS_IN_FLIGHT); 1 waits
   * for each commit. Worth it when the store commits off this thread (createThreadedSqliteProjectionStore,
   * a server).
   */
  readonly commitsInFlight?: number;
  /** Documents each projection keeps in memory between pages (default 10,000). */
  readonly cacheSize?: number;
  /** Options of the workers that catch each shadow up with the head before its switch. */
  readonly worker?: RebuildWorkerOptions;
  /** Aborting stops after the page in hand; the shadows and their checkpoints stay, the next run resumes. */
  readonly signal?: AbortSignal;
  /** Called per projection after each of its commits (the `projection` field names it). */
  readonly onProgress?: (progress: ProjectionProgress) => void;
}

/** A projection's share of one page, folded and waiting for its commit. */
export interface FoldedPage {
  readonly writes: readonly DocumentWrite<ReadDocument>[];
  readonly parked: readonly NewParkedEvent[];
  readonly checkpoint: Checkpoint;
  readonly lastEventAt: Date;
  readonly applied: number;
  readonly skipped: number;
}

/** One projection's side of the rebuild. */
export interface Run {
  readonly projection: Projection<ReadDocument>;
  readonly handles: ReadonlySet<string>;
  readonly release: () => Promise<void>;
  readonly shadow: TargetState;
  readonly resumed: boolean;
  readonly statusBefore: ProjectionStatus;
  /** None for a `documentPerEvent` projection: it never reads a document back. */
  readonly cache?: RebuildDocumentCache<ReadDocument>;
  /** Commits the folded pages in order, behind the fold. */
  readonly pipeline: CommitPipeline<FoldedPage>;
  /** The last checkpoint committed (not merely folded). */
  checkpoint?: Checkpoint;
  lastEventAt?: Date;
  batches: number;
  applied: number;
  skipped: number;
  parked: number;
  retries: number;
  leaseLost: boolean;
  worker?: ProjectionWorker;
  outcome?: RebuildOutcome;
}

export const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(describeError(e)));
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Measured on 1M events (all three projections): pages of 1,000 cost ~30% less CPU than pages of
 * 5,000. A page's objects live across its fold and commit; at 5,000 events they outgrow V8's young
 * generation and are promoted, so the old-generation collector pays for every page.
 */
export const REBUILD_PAGE_SIZE = 1_000;

/**
 * Pages a projection folds ahead of its commits. Measured with the store on a worker thread, 1M
 * events: 2 gained nothing over 1 (before queued pages were merged), 4 ~10-20%, 8 no more than 4
 * for ~20 MB more peak memory.
 */
export const COMMITS_IN_FLIGHT = 4;

export function progressOf(run: Run, state: ProjectionProgress['state']): ProjectionProgress {
  return {
    projection: run.projection.name,
    target: run.shadow.target,
    state,
    checkpoint: run.checkpoint?.position,
    lastEventAt: run.lastEventAt,
    caughtUp: false,
    batches: run.batches,
    applied: run.applied,
    skipped: run.skipped,
    parked: run.parked,
    retries: run.retries,
  };
}

/** Retries transient failures with the engine's backoff until they pass or the rebuild is aborted. */
export function retryer(options: RebuildProjectionsOptions) {
  const policy = { ...DEFAULT_RETRY_POLICY, ...options.worker?.retry };
  const wait = options.worker?.sleep ?? sleep;
  const random = options.worker?.random ?? Math.random;
  return async <T>(fn: () => Promise<T>, run?: Run): Promise<T> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        if (!isTransient(e) || options.signal?.aborted) throw e;
        if (run) run.retries++;
        await wait(backoffDelay(attempt, policy, random));
      }
    }
  };
}
