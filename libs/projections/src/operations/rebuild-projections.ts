import type { Position, RecordedEvent } from '@ledger/event-store';
import { TASK_STREAM_PREFIX, upcast as upcastTaskEvent } from '@ledger/tasks';
import type { Projection, ReadDocument } from '../core/projection';
import type { Checkpoint, StoredDocument } from '../core/projection-store.port';
import {
  describeError,
  documentIds,
  foldBatch,
  prepareEvent,
  upcastEvent,
  type PreparedEvent,
  type Upcasted,
} from '../engine/fold-batch';
import { breather } from './event-loop-yield';
import { acquireOperationLease, defaultLeaseOwner, keepLease, rebuildLeaseName } from './operation-lease';
import { RebuildDocumentCache } from './rebuild-document-cache';
import {
  asError,
  progressOf,
  REBUILD_PAGE_SIZE,
  retryer,
  type RebuildFailure,
  type RebuildOutcome,
  type RebuildProjectionsOptions,
  type Run,
} from './rebuild-run';
import { finishRun } from './rebuild-switch';

export {
  isRebuildFailure,
  REBUILD_PAGE_SIZE,
  type RebuildFailure,
  type RebuildOutcome,
  type RebuildProjectionsOptions,
  type RebuildResult,
  type RebuildWorkerOptions,
} from './rebuild-run';

/**
 * Blue/green rebuild of several projections in ONE pass over the log: each page of events is
 * read once, upcast once, and folded into every projection's shadow, each with its own commit
 * (documents + checkpoint), so the cost of reading the log is paid once, not once per read model.
 * Then each shadow gets its deferred indexes, catches up to the head and is switched live, as
 * `rebuildProjection` does for one.
 *
 * Each projection keeps its own lease, shadow, checkpoint and switch: after `kill -9` the next
 * run resumes every shadow, reading from the lowest checkpoint; a projection skips the events up
 * to its own. A projection that fails (its lease is held, its commit fails for good) is reported
 * in its outcome and the others go on.
 *
 * Speed comes from what a fresh shadow allows: no secondary index while it fills (built once,
 * see `ProjectionStore.prepareSwitch`), documents kept in memory between pages instead of read
 * back (RebuildDocumentCache), pages read with `readAll` rather than a subscription, so no await
 * per event, and the event loop let through once per page (leases, Ctrl-C, progress).
 * @example const outcomes = await rebuildProjections({ projections: allProjections, eventStore, store })
 */
export async function rebuildProjections(options: RebuildProjectionsOptions): Promise<RebuildOutcome[]> {
  const runs: Run[] = [];
  const failures = new Map<string, RebuildFailure>();
  try {
    for (const projection of options.projections) {
      try {
        runs.push(await startRun(projection, options));
      } catch (e) {
        failures.set(projection.name, { projection: projection.name, error: asError(e) });
      }
    }
    await foldHistory(runs, options);
    // One after the other, as separate rebuilds did: each copy goes live as soon as it is ready,
    // and the write lock of one index build is never queued behind another's.
    for (const run of runs) await finishRun(run, options);
  } finally {
    for (const run of runs) await run.release();
  }
  return options.projections.flatMap((p) => {
    const outcome = runs.find((r) => r.projection === p)?.outcome ?? failures.get(p.name);
    return outcome ? [outcome] : [];
  });
}

async function startRun(
  projection: Projection<ReadDocument>,
  options: RebuildProjectionsOptions,
): Promise<Run> {
  const { store } = options;
  const owner = options.owner ?? defaultLeaseOwner();
  const lease = rebuildLeaseName(projection.name);
  const ttl = options.leaseTtlMs ?? 30_000;
  await acquireOperationLease(store, lease, owner, ttl, 'rebuild');
  let run: Run | undefined;
  const release = keepLease(store, lease, owner, ttl, () => {
    // Someone took the lease over (we stalled past its expiry): two rebuilds must not switch.
    if (!run) return;
    run.leaseLost = true;
    void run.worker?.stop();
  });
  try {
    const state = await store.registerProjection(projection.name, projection.version);
    const resumed = state.shadow?.version === projection.version;
    const shadow = resumed
      ? state.shadow!
      : await store.createShadowTarget(projection.name, projection.version, { deferIndexes: true });
    const statusBefore = state.status === 'rebuilding' ? 'live' : state.status;
    await store.setStatus(projection.name, 'rebuilding');
    run = {
      projection,
      handles: new Set(projection.handles),
      release,
      shadow,
      resumed,
      statusBefore,
      cache: projection.documentPerEvent
        ? undefined
        : new RebuildDocumentCache(options.cacheSize ?? 10_000, !resumed),
      checkpoint: shadow.checkpoint,
      batches: 0,
      applied: 0,
      skipped: 0,
      parked: 0,
      retries: 0,
      leaseLost: false,
    };
    return run;
  } catch (e) {
    await release();
    throw e;
  }
}

const folding = (run: Run, signal?: AbortSignal) => !run.outcome && !run.leaseLost && !signal?.aborted;

/**
 * The one pass: pages of every event any of the projections handles, from the lowest
 * checkpoint up to the head sampled when it starts (whatever is appended meanwhile is left to
 * the catch-up workers, so a busy log cannot keep this loop going forever).
 */
async function foldHistory(runs: readonly Run[], options: RebuildProjectionsOptions): Promise<void> {
  const { eventStore, signal } = options;
  const active = () => runs.filter((r) => folding(r, signal));
  if (!active().length) return;
  const upcast = options.worker?.upcast ?? upcastTaskEvent;
  const filter = {
    streamPrefixes: [options.worker?.streamPrefix ?? TASK_STREAM_PREFIX],
    eventTypes: [...new Set(runs.flatMap((r) => r.projection.handles))],
  };
  const pageSize = options.batchSize ?? REBUILD_PAGE_SIZE;
  const breathe = breather();
  const retrying = retryer(options);
  const head = await retrying(() => eventStore.headPosition());
  let from = lowestCheckpoint(runs);
  while (head !== undefined && active().length) {
    if (from !== undefined && eventStore.comparePositions(from, head) >= 0) break;
    const page = await retrying(() => eventStore.readAll({ from, limit: pageSize, filter }));
    if (!page.length) break;
    const keys = page.map((e) => eventStore.positionKey(e.position));
    const events = page.map((e) => upcastEvent(e, upcast));
    for (const run of active()) {
      try {
        await retrying(() => foldPage(run, page, keys, events, options), run);
      } catch (e) {
        await failRun(run, options, e);
      }
    }
    from = page[page.length - 1].position;
    if (page.length < pageSize) break;
    await breathe();
  }
}

/** Folds one page into one projection's shadow and commits it with the page's last position. */
async function foldPage(
  run: Run,
  page: readonly RecordedEvent[],
  keys: readonly string[],
  events: readonly Upcasted[],
  options: RebuildProjectionsOptions,
): Promise<void> {
  const lastKey = keys[keys.length - 1];
  const after = run.checkpoint?.key;
  if (after !== undefined && lastKey <= after) return; // this shadow already holds the page
  const prepared: PreparedEvent[] = [];
  for (let i = 0; i < page.length; i++) {
    const recorded = page[i];
    const key = keys[i];
    if (!run.handles.has(recorded.type) || (after !== undefined && key <= after)) continue;
    prepared.push(prepareEvent(recorded, key, events[i], run.projection));
  }
  const { known, load } = run.cache
    ? run.cache.lookup(documentIds(prepared))
    : { known: new Map<string, StoredDocument<ReadDocument>>(), load: [] };
  if (load.length) {
    for (const [id, doc] of await options.store.loadDocuments<ReadDocument>(run.shadow.target, load))
      known.set(id, doc);
  }
  const folded = foldBatch(run.projection, prepared, known);
  const last = page[page.length - 1];
  const checkpoint = { position: last.position, key: lastKey };
  const committed = await options.store.commitBatch(
    run.shadow.target,
    folded.writes,
    checkpoint,
    folded.parked,
  );
  if (committed.skipped > 0) run.cache?.forget();
  else run.cache?.remember(folded.writes);
  run.checkpoint = checkpoint;
  run.lastEventAt = last.recordedAt;
  run.batches++;
  run.applied += folded.applied;
  run.skipped += folded.skipped;
  run.parked += folded.parked.length;
  options.onProgress?.(progressOf(run, 'running'));
}

/** The lowest checkpoint of the runs, by key; undefined (the beginning) when one has none. */
function lowestCheckpoint(runs: readonly Run[]): Position | undefined {
  let lowest: Checkpoint | undefined;
  for (const run of runs) {
    if (!run.checkpoint) return undefined;
    if (!lowest || run.checkpoint.key < lowest.key) lowest = run.checkpoint;
  }
  return lowest?.position;
}

async function failRun(run: Run, options: RebuildProjectionsOptions, e: unknown): Promise<void> {
  const name = run.projection.name;
  await options.store
    .setStatus(name, run.statusBefore, `rebuild failed: ${describeError(e)}`)
    .catch(() => undefined);
  run.outcome = { projection: name, error: new Error(`rebuild of ${name} failed: ${describeError(e)}`) };
}
