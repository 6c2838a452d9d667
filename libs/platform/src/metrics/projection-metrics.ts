import type { LedgerMetrics } from './ledger-metrics';

// Structural views of the projection engine (libs/projections): platform stays below it.
interface WorkerProgress {
  readonly projection: string;
  readonly target?: string;
  readonly state: string;
  readonly applied: number;
  readonly parked: number;
  readonly retries: number;
}

interface Lag {
  readonly projection: string;
  readonly eventsBehind: number;
  readonly secondsBehind: number;
}

export interface ObservedRunner {
  progress(): WorkerProgress[];
  lag(): Promise<Lag[]>;
  onProgress(listener: (p: WorkerProgress) => void): () => void;
}

interface ShadowState {
  readonly name: string;
  readonly shadow?: { readonly checkpoint?: { readonly position: string } };
}

export interface ObservedProjectionStore {
  countParked(projection?: string): Promise<number>;
  listStates(): Promise<ShadowState[]>;
  getTarget(target: string): Promise<{ readonly projection: string } | undefined>;
}

export interface ProjectionObservation {
  readonly runner: ObservedRunner;
  readonly store: ObservedProjectionStore;
  readonly projections: readonly string[];
  /** Handled events after a shadow's checkpoint (the rebuild's remaining work). */
  readonly rebuildRemaining: (projection: string, checkpoint: string | undefined) => Promise<number>;
}

export const WORKER_STATES = ['starting', 'running', 'retrying', 'stopping', 'stopped', 'failed'] as const;

/** Lag is measured by reading the log: a burst of scrapes shares one measurement. */
const SNAPSHOT_TTL_MS = 1_000;

/**
 * Feeds the projection metrics: counters from every worker commit (onProgress), and at scrape
 * time lag, parked events and rebuild progress read from the stores, so a rebuild run by the
 * CLI in another process shows here too. Returns the unsubscribe function.
 */
export function observeProjections(metrics: LedgerMetrics, o: ProjectionObservation): () => void {
  const seen = new Map<string, { applied: number; parked: number; retries: number }>();
  const record = (p: WorkerProgress) => {
    const last = seen.get(p.projection) ?? { applied: 0, parked: 0, retries: 0 };
    const labels = { projection: p.projection };
    // Counters only move forward: a restarted worker starts again from 0.
    if (p.applied > last.applied) metrics.eventsProjected.inc(labels, p.applied - last.applied);
    if (p.parked > last.parked) metrics.eventsParked.inc(labels, p.parked - last.parked);
    if (p.retries > last.retries) metrics.projectionRetries.inc(labels, p.retries - last.retries);
    seen.set(p.projection, { applied: p.applied, parked: p.parked, retries: p.retries });
    for (const state of WORKER_STATES)
      metrics.projectionState.set({ ...labels, state }, state === p.state ? 1 : 0);
  };
  for (const projection of o.projections) {
    for (const counter of [metrics.eventsProjected, metrics.eventsParked, metrics.projectionRetries]) {
      counter.inc({ projection }, 0);
    }
  }
  o.runner.progress().forEach(record);
  const off = o.runner.onProgress(record);

  let snapshot: { at: number; done: Promise<void> } | undefined;
  metrics.onScrape(() => {
    if (!snapshot || Date.now() - snapshot.at > SNAPSHOT_TTL_MS) {
      snapshot = { at: Date.now(), done: measure(metrics, o) };
    }
    return snapshot.done;
  });
  return off;
}

async function measure(metrics: LedgerMetrics, o: ProjectionObservation): Promise<void> {
  o.runner.progress().forEach((p) => {
    for (const state of WORKER_STATES)
      metrics.projectionState.set({ projection: p.projection, state }, state === p.state ? 1 : 0);
  });
  await Promise.all([
    o.runner.lag().then((lags) =>
      lags.forEach((l) => {
        metrics.projectionLagEvents.set({ projection: l.projection }, l.eventsBehind);
        metrics.projectionLagSeconds.set({ projection: l.projection }, l.secondsBehind);
      }),
    ),
    ...o.projections.map(async (projection) =>
      metrics.parkedEvents.set({ projection }, await o.store.countParked(projection)),
    ),
    o.store.listStates().then(async (states) => {
      for (const projection of o.projections) {
        const shadow = states.find((s) => s.name === projection)?.shadow;
        metrics.rebuildInProgress.set({ projection }, shadow ? 1 : 0);
        metrics.rebuildRemaining.set(
          { projection },
          shadow ? await o.rebuildRemaining(projection, shadow.checkpoint?.position) : 0,
        );
      }
    }),
  ]);
}

interface BatchStore {
  loadDocuments(target: string, ids: readonly string[]): Promise<unknown>;
  commitBatch(target: string, ...rest: never[]): Promise<unknown>;
  getTarget(target: string): Promise<{ readonly projection: string } | undefined>;
}

/**
 * Wraps the projection store the workers use so a batch is timed from loading its documents to
 * committing them with the checkpoint. Idle checkpoint commits (no documents loaded) are not
 * batches and are not timed. A worker runs one batch at a time per target.
 */
export function timeBatches<S extends BatchStore>(store: S, metrics: LedgerMetrics): S {
  const started = new Map<string, () => number>();
  const projectionOf = new Map<string, string>();
  const nameOf = async (target: string) => {
    let name = projectionOf.get(target);
    if (!name) {
      name = (await store.getTarget(target).catch(() => undefined))?.projection ?? 'unknown';
      if (projectionOf.size > 100) projectionOf.clear();
      projectionOf.set(target, name);
    }
    return name;
  };
  return new Proxy(store, {
    get(t, property, receiver) {
      const value: unknown = Reflect.get(t, property, receiver);
      if (property === 'loadDocuments') {
        return (target: string, ids: readonly string[]) => {
          const begin = process.hrtime.bigint();
          started.set(target, () => Number(process.hrtime.bigint() - begin) / 1e9);
          return t.loadDocuments(target, ids);
        };
      }
      if (property === 'commitBatch') {
        return async (target: string, ...rest: never[]) => {
          const result = await t.commitBatch(target, ...rest);
          const seconds = started.get(target)?.();
          started.delete(target);
          if (seconds !== undefined)
            metrics.projectionBatchDuration.observe({ projection: await nameOf(target) }, seconds);
          return result;
        };
      }
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(t) : value;
    },
  });
}
