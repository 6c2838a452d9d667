import type { EventStore, Position } from '@ledger/event-store';
import type { Projection, ReadDocument } from '../core/projection';
import type { ProjectionStore } from '../core/projection-store.port';
import { LeaseHeldError } from '../core/projection-errors';
import { yieldingEventStore } from './event-loop-yield';
import { acquireOperationLease, defaultLeaseOwner, keepLease, rebuildLeaseName } from './operation-lease';
import { ProjectionWorker, type ProjectionWorkerOptions } from '../engine/projection-worker';
import type { ProjectionProgress } from '../engine/projection-progress';

export interface RebuildOptions {
  readonly projection: Projection<ReadDocument>;
  readonly eventStore: EventStore;
  readonly store: ProjectionStore;
  /** Who holds the lease, shown to a second rebuild that is refused. */
  readonly owner?: string;
  readonly leaseTtlMs?: number;
  /** Rebuilds read history at full speed: bigger batches than the live path's 500. */
  readonly batchSize?: number;
  readonly worker?: Partial<Omit<ProjectionWorkerOptions, 'projection' | 'eventStore' | 'store' | 'target'>>;
  /** Aborting stops after the batch in hand; the shadow and its checkpoint stay, the next run resumes. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: ProjectionProgress) => void;
}

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

export { rebuildLeaseName, defaultLeaseOwner };

/**
 * Blue/green rebuild: fold the whole log into a shadow target, then switch the live pointer to
 * it and drop the old copy, while reads keep hitting the old copy until the switch.
 *
 * Crash safety comes from the store, not from this function's memory: the shadow is recorded in
 * the projection's state and its checkpoint is committed with every batch, so after `kill -9` the
 * next run finds the shadow (same version) and continues from its checkpoint. The lease keeps a
 * second rebuild out; it expires on its own if its holder dies.
 *
 * Hand-over with a live worker: the shadow catches up to the head, then the switch. A live worker
 * still writing to the old target gets StaleTargetError on its next commit, re-reads the live
 * pointer and resumes from the shadow's checkpoint, so the events it had projected into the old
 * copy after that point are projected again into the new one: none lost, none doubled.
 * @example await rebuildProjection({ projection: tasksProjection, eventStore, store })
 */
export async function rebuildProjection(options: RebuildOptions): Promise<RebuildResult> {
  const { projection, store } = options;
  const owner = options.owner ?? defaultLeaseOwner();
  const lease = rebuildLeaseName(projection.name);
  const ttl = options.leaseTtlMs ?? 30_000;
  await acquireOperationLease(store, lease, owner, ttl, 'rebuild');

  let worker: ProjectionWorker | undefined;
  let leaseLost = false;
  const release = keepLease(store, lease, owner, ttl, () => {
    // Someone took the lease over (we stalled past its expiry): two rebuilds must not switch.
    leaseLost = true;
    void worker?.stop();
  });

  try {
    const state = await store.registerProjection(projection.name, projection.version);
    const resumed = state.shadow?.version === projection.version;
    const shadow = resumed
      ? state.shadow!
      : await store.createShadowTarget(projection.name, projection.version);
    const statusBefore = state.status === 'rebuilding' ? 'live' : state.status;
    await store.setStatus(projection.name, 'rebuilding');

    worker = new ProjectionWorker({
      batchSize: options.batchSize ?? 5_000,
      ...options.worker,
      projection,
      // A rebuild catches up over the whole log: let lease renewal and Ctrl-C run meanwhile.
      eventStore: yieldingEventStore(options.eventStore),
      store,
      target: shadow.target,
      untilCaughtUp: true,
    });
    const off = options.onProgress ? worker.onProgress(options.onProgress) : undefined;
    const abort = () => void worker?.stop();
    options.signal?.addEventListener('abort', abort, { once: true });
    try {
      if (!options.signal?.aborted) {
        await worker.start();
        await worker.finished();
      }
    } finally {
      off?.();
      options.signal?.removeEventListener('abort', abort);
    }
    const p = worker.progress();
    if (p.state === 'failed') {
      await store.setStatus(projection.name, statusBefore, `rebuild failed: ${p.lastError}`);
      throw new Error(`rebuild of ${projection.name} failed: ${p.lastError}`);
    }
    if (leaseLost) throw new LeaseHeldError(lease);
    const result = {
      projection: projection.name,
      target: shadow.target,
      resumed,
      checkpoint: p.checkpoint,
      applied: p.applied,
      parked: p.parked,
    };
    if (options.signal?.aborted || !p.caughtUp) {
      await store.setStatus(projection.name, statusBefore);
      return { ...result, switched: false };
    }
    await store.switchLive(projection.name, shadow.target);
    await store.setStatus(projection.name, statusBefore, null);
    return { ...result, switched: true };
  } finally {
    await release();
  }
}
