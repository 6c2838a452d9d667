import type { Position, RecordedEvent } from '@ledger/event-store';
import { TASK_STREAM_PREFIX, upcast as upcastTaskEvent } from '@ledger/tasks';
import type { Projection, ReadDocument } from '../core/projection';
import type { Checkpoint, DocumentWrite, StoredDocument } from '../core/projection-store.port';
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
import { CommitPipeline } from './rebuild-commit-pipeline';
import { RebuildDocumentCache } from './rebuild-document-cache';
import {
  asError,
  COMMITS_IN_FLIGHT,
  progressOf,
  REBUILD_PAGE_SIZE,
  retryer,
  type FoldedPage,
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
  // One for the whole rebuild: every read, load, fold and commit of the pass retries through it.
  const retrying = retryer(options);
  try {
    await dropLeftoverTargets(options);
    for (const projection of options.projections) {
      try {
        runs.push(await startRun(projection, options, retrying));
      } catch (e) {
        failures.set(projection.name, { projection: projection.name, error: asError(e) });
      }
    }
    await foldHistory(runs, options, retrying);
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

/**
 * What an interrupted switch left (the old copy's tables, dropped after the pointer moved; see
 * `ProjectionStore.switchLive`) goes before the rebuild makes more copies. Only a rebuild makes
 * copies, always as a registered shadow, so nothing in use can look like a leftover. Not fatal:
 * the rebuild does not need the space, and the next one tries again.
 */
async function dropLeftoverTargets({ store }: RebuildProjectionsOptions): Promise<void> {
  try {
    await store.dropOrphanTargets();
  } catch {
    // See above.
  }
}

async function startRun(
  projection: Projection<ReadDocument>,
  options: RebuildProjectionsOptions,
  retrying: Retrying,
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
      pipeline: new CommitPipeline<FoldedPage>(
        options.commitsInFlight ?? COMMITS_IN_FLIGHT,
        (pages) => commitPages(run!, pages, options, retrying),
        // A lost lease: the pages still queued are not written (someone else owns the shadow).
        () => !run!.leaseLost && !run!.outcome,
      ),
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

type Retrying = ReturnType<typeof retryer>;

const folding = (run: Run, signal?: AbortSignal) => !run.outcome && !run.leaseLost && !signal?.aborted;

/**
 * The one pass: pages of every event any of the projections handles, from the lowest
 * checkpoint up to the head sampled when it starts (whatever is appended meanwhile is left to
 * the catch-up workers, so a busy log cannot keep this loop going forever). Each projection's
 * pages are committed by its CommitPipeline while the next ones fold; the pass ends with every
 * pipeline drained, so the checkpoints a run reports are committed ones.
 */
async function foldHistory(
  runs: readonly Run[],
  options: RebuildProjectionsOptions,
  retrying: Retrying,
): Promise<void> {
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
  try {
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
          await foldPage(run, page, keys, events, options, retrying);
        } catch (e) {
          await failRun(run, options, e);
        }
      }
      from = page[page.length - 1].position;
      if (page.length < pageSize) break;
      await breathe();
    }
  } finally {
    for (const run of runs) {
      if (run.outcome) continue;
      await run.pipeline.drain().catch((e: unknown) => failRun(run, options, e));
    }
  }
}

/** Folds one page into one projection and queues its commit (documents + the page's last position). */
async function foldPage(
  run: Run,
  page: readonly RecordedEvent[],
  keys: readonly string[],
  events: readonly Upcasted[],
  options: RebuildProjectionsOptions,
  retrying: Retrying,
): Promise<void> {
  const lastKey = keys[keys.length - 1];
  // What a resumed shadow held when the run started; pages only move forward from there.
  const after = run.shadow.checkpoint?.key;
  if (after !== undefined && lastKey <= after) return;
  const prepared: PreparedEvent[] = [];
  for (let i = 0; i < page.length; i++) {
    const recorded = page[i];
    const key = keys[i];
    if (!run.handles.has(recorded.type) || (after !== undefined && key <= after)) continue;
    prepared.push(prepareEvent(recorded, key, events[i], run.projection));
  }
  // Retried whole on a transient failure (a load, or a fold that throws UnavailableError): pure
  // until the cache remembers its result below.
  const folded = await retrying(async () => {
    const { known, load } = run.cache
      ? run.cache.lookup(documentIds(prepared))
      : { known: new Map<string, StoredDocument<ReadDocument>>(), load: [] };
    // None of `load` is in a page still on its way to the store: the cache holds those (`landed`).
    if (load.length) {
      for (const [id, doc] of await options.store.loadDocuments<ReadDocument>(run.shadow.target, load))
        known.set(id, doc);
    }
    return foldBatch(run.projection, prepared, known);
  }, run);
  // Remembered now, not after the commit: the next page folds on these documents while this one
  // is written. The pipeline commits pages in order and fails the run if one cannot land.
  run.cache?.remember(folded.writes);
  const last = page[page.length - 1];
  await run.pipeline.push({
    writes: folded.writes,
    parked: folded.parked,
    checkpoint: { position: last.position, key: lastKey },
    lastEventAt: last.recordedAt,
    applied: folded.applied,
    skipped: folded.skipped,
  });
}

/**
 * The pipeline's commit of the pages that queued up, as one batch with the engine's retries; then
 * the run's progress moves. One write per document, its latest: under the position guards that
 * lands exactly as the pages would one after the other.
 */
async function commitPages(
  run: Run,
  pages: readonly FoldedPage[],
  options: RebuildProjectionsOptions,
  retrying: Retrying,
): Promise<void> {
  const last = pages[pages.length - 1];
  const writes = pages.length === 1 ? last.writes : latestWrites(pages);
  const parked = pages.length === 1 ? last.parked : pages.flatMap((p) => p.parked);
  const committed = await retrying(
    () => options.store.commitBatch(run.shadow.target, writes, last.checkpoint, parked),
    run,
  );
  // The store refused a write: someone else wrote the shadow. Pages already folded on the cache
  // are still right (every writer of a shadow folds the same events with the same code, so
  // documents at one position are equal); the pages after them read from the store.
  if (committed.skipped > 0) run.cache?.forget();
  run.checkpoint = last.checkpoint;
  run.lastEventAt = last.lastEventAt;
  for (const page of pages) {
    run.cache?.landed(page.writes);
    run.batches++;
    run.applied += page.applied;
    run.skipped += page.skipped;
    run.parked += page.parked.length;
  }
  options.onProgress?.(progressOf(run, 'running'));
}

function latestWrites(pages: readonly FoldedPage[]): DocumentWrite<ReadDocument>[] {
  const latest = new Map<string, DocumentWrite<ReadDocument>>();
  for (const page of pages) for (const w of page.writes) latest.set(w.id, w);
  return [...latest.values()];
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
