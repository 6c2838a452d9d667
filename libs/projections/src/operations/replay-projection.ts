import type { Position } from '@ledger/event-store';
import { CheckRecorder, type DriftListener } from './check-recorder';
import {
  acquireOperationLease,
  defaultLeaseOwner,
  keepLease,
  readBoard,
  rebuildLeaseName,
  writeBoard,
} from './operation-lease';
import {
  operationContext,
  positionFraction,
  type OperationContext,
  type OperationOptions,
} from './operation-context';
import { checkStreams } from './stream-check';
import { checkTenants } from './tenant-check';

export interface ReplayOptions extends OperationOptions {
  /** Re-fold the events after this position (exclusive, like the port); undefined = the whole log. */
  readonly from?: Position;
  readonly owner?: string;
  readonly leaseTtlMs?: number;
  readonly maxFindings?: number;
  /** Every document the replay rewrote (`found`), and whether the write held (`fixed`). */
  readonly onDrift?: DriftListener;
}

export interface ReplayReport {
  readonly projection: string;
  readonly target: string;
  readonly from?: Position;
  /** The read model's checkpoint when the replay began: events up to it were re-folded. */
  readonly to?: Position;
  /** Continued an interrupted replay of the same range. */
  readonly resumed: boolean;
  readonly events: number;
  readonly documentsRewritten: number;
  /** Rewrites that kept losing to newer writes of the projector (rerun to retry). */
  readonly unresolved: number;
  readonly unfoldable: number;
  readonly interrupted: boolean;
  readonly ok: boolean;
}

interface ReplayCursor {
  readonly from: Position | null;
  readonly to: Position;
  readonly target: string;
  readonly reached: Position | null;
}

const cursorId = (projection: string) => `replay:${projection}`;

/**
 * Re-folds, with the current code, the events after `from` (say, since the deploy of a fold bug
 * now fixed) into the live read model, idempotently.
 *
 * Why not reset the checkpoint and let the projector fold again: the engine skips every event at
 * or before a document's stored position (that is what keeps accumulators like stats exact), so
 * re-delivered events would change nothing; and resetting the documents instead would serve
 * half-made documents meanwhile. So replay walks the events after `from` up to the checkpoint,
 * and for each document they touch recomputes it whole from its streams (the stream of a task;
 * every stream of the tenant for per-tenant stats) and rewrites it where it differs, under the
 * 'not-older' guard: the projector keeps running, and a second replay rewrites nothing.
 * Documents no event touches are left alone (an extra document is `repair`'s job).
 *
 * Resumable: after each page the cursor is saved in the store; a rerun with the same `from`
 * continues after it. Holds the projection's operation lease (no rebuild switches meanwhile).
 * @example await replayProjection({ projection: tasksProjection, eventStore, store, from: '1200' })
 */
export async function replayProjection(options: ReplayOptions): Promise<ReplayReport> {
  const owner = options.owner ?? defaultLeaseOwner();
  const lease = rebuildLeaseName(options.projection.name);
  const ttl = options.leaseTtlMs ?? 30_000;
  await acquireOperationLease(options.store, lease, owner, ttl, 'replay');
  const lost = new AbortController();
  const release = keepLease(options.store, lease, owner, ttl, () =>
    lost.abort(new Error(`lost the lease ${lease}`)),
  );
  try {
    const signal = options.signal ? AbortSignal.any([options.signal, lost.signal]) : lost.signal;
    const ctx = await operationContext('replay', { ...options, signal });
    const report = await replay(ctx, options);
    if (lost.signal.aborted) throw lost.signal.reason;
    return report;
  } finally {
    await release();
  }
}

async function replay(ctx: OperationContext, o: ReplayOptions): Promise<ReplayReport> {
  const recorder = new CheckRecorder(o.maxFindings ?? 1000, o.onDrift);
  const from = o.from ?? null;
  const saved = await readBoard<ReplayCursor>(ctx.store, cursorId(ctx.projection.name));
  const resumed =
    !!saved && saved.from === from && saved.target === ctx.target && ctx.scope.kind === 'stream';
  const to = resumed ? saved.to : ctx.checkpoint?.position;
  const base = {
    projection: ctx.projection.name,
    target: ctx.target,
    ...(from !== null ? { from } : {}),
    ...(to ? { to } : {}),
    resumed,
  };
  let events = 0;
  let interrupted = false;
  if (to !== undefined) {
    const toKey = ctx.positionKey(to);
    const tenants = new Set<string>();
    const filter = { streamPrefixes: [ctx.streamPrefix], eventTypes: ctx.projection.handles };
    try {
      for (let at = resumed ? (saved.reached ?? undefined) : (from ?? undefined); ;) {
        await ctx.breathe();
        ctx.signal?.throwIfAborted();
        const page = (await ctx.eventStore.readAll({ from: at, limit: ctx.pageSize, filter })).filter(
          (e) => ctx.positionKey(e.position) <= toKey,
        );
        if (page.length === 0) break;
        if (ctx.scope.kind === 'tenant') {
          for (const e of page) tenants.add(String((e.metadata as { tenantId?: unknown }).tenantId));
        } else {
          await checkStreams(ctx, [...new Set(page.map((e) => e.streamName))], { mode: 'repair' }, recorder);
        }
        events += page.length;
        at = page[page.length - 1].position;
        if (ctx.scope.kind === 'stream') {
          await writeBoard<ReplayCursor>(ctx.store, cursorId(ctx.projection.name), {
            from,
            to,
            target: ctx.target,
            reached: at,
          });
        }
        ctx.progress('events', events, 'events', positionFraction(at, to, from ?? undefined));
        if (page.length < ctx.pageSize) break;
      }
      // Per-tenant documents: every stream of each touched tenant, in one walk of the log.
      if (tenants.size) await checkTenants(ctx, { mode: 'repair', tenants }, recorder);
      await writeBoard(ctx.store, cursorId(ctx.projection.name), null);
    } catch (e) {
      if (!ctx.signal?.aborted) throw e;
      interrupted = true;
    }
  }
  const t = recorder.tally();
  return {
    ...base,
    events,
    documentsRewritten: t.fixed,
    unresolved: t.unresolved,
    unfoldable: t.unfoldable,
    interrupted,
    ok: !interrupted && t.unresolved === 0,
  };
}
