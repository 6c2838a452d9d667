import type { Position, RecordedEvent } from '@ledger/event-store';
import type { ReadDocument } from '../core/projection';
import type { Checkpoint, NewParkedEvent, StoredDocument } from '../core/projection-store.port';
import type { CheckRecorder } from './check-recorder';
import { diffDocument, type DocumentDrift } from './document-diff';
import { mapConcurrent, type OperationContext } from './operation-context';
import { foldEventsInto, type ExpectedDocument } from './recompute-fold';
import { repairWrite, type CheckMode } from './stream-check';

export interface TenantCheckOptions {
  readonly mode: CheckMode;
  /** Only these tenants' documents (a sample, a replay, a parked retry); default all. */
  readonly tenants?: ReadonlySet<string>;
}

const REPAIR_ATTEMPTS = 3;

type Stored = Map<string, StoredDocument<ReadDocument>>;
type Expected = Map<string, ExpectedDocument<ReadDocument>>;

async function storedDocuments(ctx: OperationContext, tenants?: ReadonlySet<string>): Promise<Stored> {
  if (tenants) return ctx.store.loadDocuments<ReadDocument>(ctx.target, [...tenants]);
  // One document per tenant: holding them all is holding the tenant list, not the log.
  const all: Stored = new Map();
  for (let afterId: string | undefined; ;) {
    const page = await ctx.store.scanDocuments<ReadDocument>(ctx.target, { afterId, limit: ctx.pageSize });
    for (const d of page) all.set(d.id, d);
    if (page.length < ctx.pageSize) return all;
    afterId = page[page.length - 1].id;
  }
}

/** Each tenant's moment of the log: the checkpoint, or its stored document's position when ahead. */
function boundsOf(stored: Stored, c: Checkpoint | undefined): Map<string, Checkpoint> {
  const bounds = new Map<string, Checkpoint>();
  for (const d of stored.values()) {
    bounds.set(d.id, c && c.key >= d.positionKey ? c : { position: d.position, key: d.positionKey });
  }
  return bounds;
}

/**
 * Recomputes per-tenant documents (stats) from the task streams: walks the creation events of
 * the log in pages, reads each task's stream and folds it into its tenant's document, one stream
 * after the other. Memory holds one document per tenant and one page of streams, never the log.
 * Folding stream after stream instead of in log order is sound for folds that count (their
 * result does not depend on how streams interleave), which is what a per-tenant document is.
 */
async function recompute(
  ctx: OperationContext,
  bounds: Map<string, Checkpoint>,
  tenants: ReadonlySet<string> | undefined,
  unfoldable: NewParkedEvent[],
): Promise<{ expected: Expected; streams: number }> {
  const c = ctx.checkpoint;
  const boundOf = (tenant: string) =>
    tenants && !tenants.has(tenant) ? undefined : (bounds.get(tenant) ?? c)?.key;
  let maxBound = c?.key;
  for (const b of bounds.values()) if (maxBound === undefined || b.key > maxBound) maxBound = b.key;
  const expected: Expected = new Map();
  let streams = 0;
  const fold = {
    projection: ctx.projection,
    upcast: ctx.upcast,
    positionKey: ctx.positionKey,
    boundOf: (docId: string | undefined, e: RecordedEvent) => boundOf(docId ?? tenantOf(e)),
  };
  for (let from: Position | undefined; maxBound !== undefined;) {
    await ctx.breathe();
    ctx.signal?.throwIfAborted();
    const page = await ctx.eventStore.readAll({
      from,
      limit: ctx.pageSize,
      filter: { streamPrefixes: [ctx.streamPrefix], eventTypes: ['TaskCreated'] },
    });
    const relevant = page.filter((e) => {
      const bound = boundOf(tenantOf(e));
      return bound !== undefined && ctx.positionKey(e.position) <= bound;
    });
    const read = await mapConcurrent(relevant, ctx.concurrency, (e) =>
      ctx.eventStore.readStream(e.streamName),
    );
    for (const events of read) foldEventsInto(fold, events, expected, unfoldable);
    streams += read.length;
    const last = page[page.length - 1];
    ctx.progress('streams', streams, 'streams');
    if (page.length < ctx.pageSize || ctx.positionKey(last.position) > maxBound) break;
    from = last.position;
  }
  return { expected, streams };
}

const tenantOf = (e: RecordedEvent): string => String((e.metadata as { tenantId?: unknown }).tenantId);

/** Folds the events of `tenant` after its old bound up to `to` into its expected document. */
async function advance(
  ctx: OperationContext,
  tenant: string,
  from: Checkpoint | undefined,
  to: Checkpoint,
  expected: Expected,
) {
  const fold = {
    projection: ctx.projection,
    upcast: ctx.upcast,
    positionKey: ctx.positionKey,
    boundOf: (id: string | undefined, e: RecordedEvent) =>
      (id ?? tenantOf(e)) === tenant ? to.key : undefined,
  };
  const filter = { streamPrefixes: [ctx.streamPrefix], eventTypes: ctx.projection.handles };
  for (let at = from?.position; ;) {
    const page = await ctx.eventStore.readAll({ from: at, limit: ctx.pageSize, filter });
    foldEventsInto(fold, page, expected, []);
    if (page.length < ctx.pageSize || ctx.positionKey(page[page.length - 1].position) > to.key) return;
    at = page[page.length - 1].position;
  }
}

/** Checks (and in repair mode fixes) the per-tenant documents of a tenant-scoped projection. */
export async function checkTenants(
  ctx: OperationContext,
  options: TenantCheckOptions,
  recorder: CheckRecorder,
): Promise<void> {
  let stored = await storedDocuments(ctx, options.tenants);
  const bounds = boundsOf(stored, ctx.checkpoint);
  const unfoldable: NewParkedEvent[] = [];
  const { expected, streams } = await recompute(ctx, bounds, options.tenants, unfoldable);
  recorder.unfoldable(unfoldable);
  recorder.checked(stored.size, streams);

  const ids = [...new Set([...stored.keys(), ...expected.keys()])].filter(
    (id) => !options.tenants || options.tenants.has(id),
  );
  const driftsOf = (): DocumentDrift[] =>
    ids.flatMap((id) => diffDocument(id, stored.get(id)?.doc, expected.get(id)?.doc ?? undefined) ?? []);
  const found = driftsOf();
  for (const d of found) recorder.drift(d);
  if (options.mode === 'verify' || found.length === 0) return;

  for (let attempt = 1; ; attempt++) {
    const drifts = driftsOf();
    const writes = drifts.map((d) => repairWrite(d, stored.get(d.id), expected.get(d.id)));
    const { skipped } = await ctx.store.commitBatch(ctx.target, writes);
    if (skipped > 0) {
      // The projector moved some documents on meanwhile: fold their newer events and try again.
      stored = new Map([
        ...stored,
        ...(await ctx.store.loadDocuments<ReadDocument>(
          ctx.target,
          drifts.map((d) => d.id),
        )),
      ]);
      for (const d of drifts) {
        const now = stored.get(d.id);
        const old = bounds.get(d.id) ?? ctx.checkpoint;
        if (!now || (old && now.positionKey <= old.key)) continue;
        const to = { position: now.position, key: now.positionKey };
        await advance(ctx, d.id, old, to, expected);
        bounds.set(d.id, to);
      }
    }
    const still = new Set(skipped > 0 ? driftsOf().map((d) => d.id) : []);
    const last = attempt >= REPAIR_ATTEMPTS;
    for (const d of found) {
      if (!still.has(d.id)) recorder.fixed(d);
      else if (last) recorder.unresolved(d);
    }
    if (still.size === 0 || last) return;
    found.splice(0, found.length, ...found.filter((d) => still.has(d.id)));
  }
}
