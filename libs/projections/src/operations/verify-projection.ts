import { randomBytes } from 'node:crypto';
import type { Position, RecordedEvent } from '@ledger/event-store';
import type { ProjectedEvent, ReadDocument } from '../core/projection';
import type { StoredDocument } from '../core/projection-store.port';
import { isStaleTarget } from '../core/projection-errors';
import { CheckRecorder, type CheckTally, type DriftListener } from './check-recorder';
import { acquireOperationLease, defaultLeaseOwner, keepLease, rebuildLeaseName } from './operation-lease';
import {
  idFraction,
  operationContext,
  positionFraction,
  type OperationContext,
  type OperationOptions,
} from './operation-context';
import { checkStreams, type CheckMode } from './stream-check';
import { checkTenants } from './tenant-check';

export interface VerifyOptions extends OperationOptions {
  /** Check about this many random documents (and their streams) instead of all. */
  readonly sample?: number;
  /** Findings kept in the report (default 1000); the counts are always exact. */
  readonly maxFindings?: number;
  /** Every drifted document as it is found (and, for repair, what became of it). */
  readonly onDrift?: DriftListener;
  /** Random document ids for `sample` (default crypto). */
  readonly randomId?: () => string;
}

export interface RepairOptions extends VerifyOptions {
  readonly owner?: string;
  readonly leaseTtlMs?: number;
}

export interface VerifyReport extends CheckTally {
  readonly projection: string;
  readonly target: string;
  /** The read model's checkpoint the check was made at (documents ahead of it at their own position). */
  readonly checkpoint?: Position;
  readonly sampled?: number;
  /** Stopped by the signal before the end: the report covers what was checked. */
  readonly interrupted: boolean;
  /** verify: no drift. repair: nothing left unresolved. */
  readonly ok: boolean;
}

/**
 * Recomputes the documents of a read model straight from their streams (the pure fold over
 * `readStream`, upcast as the projector does) and reports each drifted document: changed fields,
 * missing and extra documents. Read-only and safe while the projector runs.
 * @example const report = await verifyProjection({ projection: tasksProjection, eventStore, store })
 */
export function verifyProjection(options: VerifyOptions): Promise<VerifyReport> {
  return runCheck('verify', options);
}

/**
 * Verify, and rewrite exactly the drifted documents as it goes (deletes for extra ones), each
 * under the 'not-older' guard, so it is safe while the projector runs: a document the projector
 * moved on meanwhile is recomputed at its new position and written again (a few times at most).
 * Holds the projection's operation lease, so it never races a rebuild's switch.
 * @example const report = await repairProjection({ projection: statsProjection, eventStore, store })
 */
export async function repairProjection(options: RepairOptions): Promise<VerifyReport> {
  const owner = options.owner ?? defaultLeaseOwner();
  const lease = rebuildLeaseName(options.projection.name);
  const ttl = options.leaseTtlMs ?? 30_000;
  await acquireOperationLease(options.store, lease, owner, ttl, 'repair');
  const lost = new AbortController();
  const release = keepLease(options.store, lease, owner, ttl, () =>
    lost.abort(new Error(`lost the lease ${lease}`)),
  );
  try {
    const signal = options.signal ? AbortSignal.any([options.signal, lost.signal]) : lost.signal;
    const report = await runCheck('repair', { ...options, signal });
    if (lost.signal.aborted) throw lost.signal.reason;
    return report;
  } finally {
    await release();
  }
}

async function runCheck(mode: CheckMode, o: VerifyOptions): Promise<VerifyReport> {
  const ctx = await operationContext(mode, o);
  const recorder = new CheckRecorder(o.maxFindings ?? 1000, o.onDrift);
  let interrupted = false;
  try {
    if (ctx.scope.kind === 'tenant') {
      const tenants = o.sample === undefined ? undefined : await sampleTenants(ctx, o.sample);
      await checkTenants(ctx, { mode, tenants }, recorder);
    } else if (o.sample !== undefined) {
      await sampleStreams(
        ctx,
        mode,
        o.sample,
        o.randomId ?? (() => randomBytes(4).toString('hex')),
        recorder,
      );
    } else {
      await scanDocumentsPass(ctx, mode, recorder);
      await unstoredStreamsPass(ctx, mode, recorder);
    }
  } catch (e) {
    if (isStaleTarget(e)) {
      // verify takes no lease (it only reads): a rebuild may switch the copy under it.
      throw new Error(
        `${ctx.projection.name} was switched to a rebuilt copy while being checked; run it again`,
      );
    }
    if (!ctx.signal?.aborted) throw e;
    interrupted = true;
  }
  const tally = recorder.tally();
  return {
    projection: ctx.projection.name,
    target: ctx.target,
    checkpoint: ctx.checkpoint?.position,
    ...(o.sample !== undefined ? { sampled: o.sample } : {}),
    ...tally,
    interrupted,
    ok: !interrupted && (mode === 'verify' ? recorder.drifted === 0 : tally.unresolved === 0),
  };
}

/**
 * Pass 1: every stored document in id order, page by page, each page's documents grouped by
 * stream and checked with their whole stream (so missing siblings and extra rows show up too).
 * The last group of a page is held back to the next page, so a stream whose documents straddle
 * a page boundary (a long task history) is checked once, whole.
 */
async function scanDocumentsPass(
  ctx: OperationContext,
  mode: CheckMode,
  recorder: CheckRecorder,
): Promise<void> {
  if (ctx.scope.kind !== 'stream') return;
  const { streamOf } = ctx.scope;
  let carried: StoredDocument<ReadDocument>[] = [];
  let scanned = 0;
  for (let afterId: string | undefined; ;) {
    await ctx.breathe();
    ctx.signal?.throwIfAborted();
    const page = await ctx.store.scanDocuments<ReadDocument>(ctx.target, { afterId, limit: ctx.pageSize });
    const done = page.length < ctx.pageSize;
    const docs = [...carried, ...page];
    const lastStream = docs.length ? streamOf(docs[docs.length - 1].id) : undefined;
    carried = done ? [] : docs.filter((d) => streamOf(d.id) === lastStream);
    const now = done ? docs : docs.filter((d) => streamOf(d.id) !== lastStream);
    if (now.length) {
      const streams = [...new Set(now.map((d) => streamOf(d.id)))];
      await checkStreams(ctx, streams, { mode, knownIds: now.map((d) => d.id) }, recorder);
    }
    scanned += page.length;
    const last = page[page.length - 1];
    ctx.progress('documents', scanned, 'documents', last && idFraction(last.id));
    if (done) return;
    afterId = last.id;
  }
}

/**
 * Pass 2: documents of streams that have none stored at all, which pass 1 cannot see. Walks the
 * task creations up to the checkpoint (later ones need not be projected yet) in pages.
 */
async function unstoredStreamsPass(
  ctx: OperationContext,
  mode: CheckMode,
  recorder: CheckRecorder,
): Promise<void> {
  const c = ctx.checkpoint;
  if (!c) return;
  let streams = 0;
  for (let from: Position | undefined; ;) {
    await ctx.breathe();
    ctx.signal?.throwIfAborted();
    const page = await ctx.eventStore.readAll({
      from,
      limit: ctx.pageSize,
      filter: { streamPrefixes: [ctx.streamPrefix], eventTypes: ['TaskCreated'] },
    });
    const upToC = page.filter((e) => ctx.positionKey(e.position) <= c.key);
    const suspects = await streamsWithoutCreationDocument(ctx, upToC);
    if (suspects.length) await checkStreams(ctx, suspects, { mode, onlyUnstored: true }, recorder);
    streams += upToC.length;
    const last = page[page.length - 1];
    ctx.progress('streams', streams, 'streams', last && positionFraction(last.position, c.position));
    if (upToC.length < ctx.pageSize) return;
    from = last.position;
  }
}

/**
 * Most streams have their creation's document stored, which proves pass 1 saw them: only the
 * others need reading. (A creation event that cannot be upcast or keyed is a suspect too.)
 */
async function streamsWithoutCreationDocument(
  ctx: OperationContext,
  creations: readonly RecordedEvent[],
): Promise<string[]> {
  const idOf = new Map<string, string | undefined>();
  for (const e of creations) {
    try {
      const event = {
        ...ctx.upcast(e),
        id: e.id,
        streamName: e.streamName,
        revision: e.revision,
        position: e.position,
      };
      idOf.set(
        e.streamName,
        ctx.projection.handles.includes('TaskCreated')
          ? ctx.projection.documentId(event as ProjectedEvent)
          : undefined,
      );
    } catch {
      idOf.set(e.streamName, undefined);
    }
  }
  const ids = [...idOf.values()].filter((id): id is string => id !== undefined);
  const stored = await ctx.store.loadDocuments<ReadDocument>(ctx.target, ids);
  return [...idOf].filter(([, id]) => id === undefined || !stored.has(id)).map(([stream]) => stream);
}

/** Random documents (uniform over the id space for UUID ids), each checked with its whole stream. */
async function sampleStreams(
  ctx: OperationContext,
  mode: CheckMode,
  n: number,
  randomId: () => string,
  recorder: CheckRecorder,
) {
  if (ctx.scope.kind !== 'stream') return;
  const { streamOf } = ctx.scope;
  const picked = new Map<string, string[]>();
  for (let tries = 0; picked.size < n && tries < n * 3; tries++) {
    const [doc] = (
      await ctx.store.scanDocuments<ReadDocument>(ctx.target, { afterId: randomId(), limit: 1 })
    ).concat(await ctx.store.scanDocuments<ReadDocument>(ctx.target, { limit: 1 }));
    if (!doc) break;
    const stream = streamOf(doc.id);
    picked.set(stream, [...(picked.get(stream) ?? []), doc.id]);
  }
  const streams = [...picked.keys()];
  for (let i = 0; i < streams.length; i += ctx.pageSize) {
    await ctx.breathe();
    ctx.signal?.throwIfAborted();
    const batch = streams.slice(i, i + ctx.pageSize);
    await checkStreams(ctx, batch, { mode, knownIds: batch.flatMap((s) => picked.get(s)!) }, recorder);
    ctx.progress(
      'streams',
      Math.min(i + ctx.pageSize, streams.length),
      'streams',
      Math.min(1, (i + ctx.pageSize) / streams.length),
    );
  }
}

async function sampleTenants(ctx: OperationContext, n: number): Promise<Set<string>> {
  const ids: string[] = [];
  for (let afterId: string | undefined; ;) {
    const page = await ctx.store.scanDocuments<ReadDocument>(ctx.target, { afterId, limit: ctx.pageSize });
    ids.push(...page.map((d) => d.id));
    if (page.length < ctx.pageSize) break;
    afterId = page[page.length - 1].id;
  }
  for (let i = ids.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [ids[i], ids[j]] = [ids[j], ids[i]];
  }
  return new Set(ids.slice(0, n));
}
