import type { EventStore } from '@ledger/event-store';
import type { Projection, ReadDocument } from '../core/projection';
import type { ParkedEvent, ProjectionStore } from '../core/projection-store.port';
import { CheckRecorder } from './check-recorder';
import { acquireOperationLease, defaultLeaseOwner, keepLease, rebuildLeaseName } from './operation-lease';
import { operationContext, type OperationOptions } from './operation-context';
import { checkStreams } from './stream-check';
import { checkTenants } from './tenant-check';

/** Every parked event, page by page (in position order), optionally of one projection. */
export async function listAllParked(
  store: ProjectionStore,
  projection?: string,
  pageSize = 500,
): Promise<ParkedEvent[]> {
  const all: ParkedEvent[] = [];
  for (let after: string | undefined; ;) {
    const page = await store.listParked({ projection, limit: pageSize, after });
    all.push(...page);
    if (page.length < pageSize) return all;
    after = page[page.length - 1].id;
  }
}

/** True when it existed. The event stays in the log; the read model simply never gets it. */
export const discardParked = (store: ProjectionStore, id: string): Promise<boolean> => store.removeParked(id);

export interface RetryParkedOptions extends Omit<OperationOptions, 'projection'> {
  /** The projections of this code: a parked event is retried with its projection's current fold. */
  readonly projections: readonly Projection<ReadDocument>[];
  readonly parked: readonly ParkedEvent[];
  readonly owner?: string;
  readonly leaseTtlMs?: number;
}

export interface RetryOutcome {
  readonly id: string;
  readonly projection: string;
  readonly ok: boolean;
  /** The fold's error when it still fails (the record stays, its attempts go up). */
  readonly error?: string;
}

/**
 * Runs the fold again, with the current code, for parked events. Their documents are recomputed
 * whole from their streams (the task's stream; for per-tenant stats, every stream of the tenant)
 * and rewritten where they differ, under the 'not-older' guard; re-applying the one event to the
 * stored document instead would count it twice in stats if a retry were itself retried. A record
 * is removed only when its event now folds; otherwise it is parked again with the new error.
 * @example const [outcome] = await retryParked({ projections: allProjections, eventStore, store, parked: [record] })
 */
export async function retryParked(options: RetryParkedOptions): Promise<RetryOutcome[]> {
  const byProjection = new Map<string, ParkedEvent[]>();
  for (const p of options.parked)
    byProjection.set(p.projection, [...(byProjection.get(p.projection) ?? []), p]);
  const outcomes: RetryOutcome[] = [];
  for (const [name, parked] of byProjection) {
    const projection = options.projections.find((p) => p.name === name);
    if (!projection) {
      outcomes.push(
        ...parked.map((p) => ({
          id: p.id,
          projection: name,
          ok: false,
          error: `no projection ${name} in this code`,
        })),
      );
      continue;
    }
    outcomes.push(...(await retryOne({ ...options, projection }, parked)));
  }
  return outcomes;
}

async function retryOne(
  o: OperationOptions & Pick<RetryParkedOptions, 'owner' | 'leaseTtlMs'>,
  parked: ParkedEvent[],
): Promise<RetryOutcome[]> {
  const owner = o.owner ?? defaultLeaseOwner();
  const lease = rebuildLeaseName(o.projection.name);
  const ttl = o.leaseTtlMs ?? 30_000;
  await acquireOperationLease(o.store, lease, owner, ttl, 'parked retry');
  const release = keepLease(o.store, lease, owner, ttl, () => undefined);
  try {
    const ctx = await operationContext('parked retry', o);
    const recorder = new CheckRecorder(Number.MAX_SAFE_INTEGER);
    const streams = [...new Set(parked.map((p) => p.streamName))];
    if (ctx.scope.kind === 'stream') {
      for (let i = 0; i < streams.length; i += ctx.pageSize) {
        await checkStreams(ctx, streams.slice(i, i + ctx.pageSize), { mode: 'repair' }, recorder);
      }
    } else {
      const tenants = new Set(await Promise.all(parked.map((p) => tenantOfEvent(o.eventStore, p))));
      tenants.delete(undefined);
      await checkTenants(ctx, { mode: 'repair', tenants: tenants as Set<string> }, recorder);
    }
    const tally = recorder.tally();
    const stillFailing = new Map(tally.unfoldableEvents.map((e) => [e.eventId, e.error]));
    const outcomes: RetryOutcome[] = [];
    for (const p of parked) {
      const error =
        stillFailing.get(p.eventId) ??
        (tally.unresolved > 0 ? 'its document kept changing; retry again' : undefined);
      if (error) {
        const { projection, position, positionKey, eventId, streamName, eventType } = p;
        await o.store.addParked([
          { projection, position, positionKey, eventId, streamName, eventType, error },
        ]);
      } else {
        await o.store.removeParked(p.id);
      }
      outcomes.push({ id: p.id, projection: p.projection, ok: !error, ...(error ? { error } : {}) });
    }
    return outcomes;
  } finally {
    await release();
  }
}

async function tenantOfEvent(eventStore: EventStore, p: ParkedEvent): Promise<string | undefined> {
  const event = (await eventStore.readStream(p.streamName)).find((e) => e.id === p.eventId);
  const tenant = (event?.metadata as { tenantId?: unknown } | undefined)?.tenantId;
  return typeof tenant === 'string' ? tenant : undefined;
}
