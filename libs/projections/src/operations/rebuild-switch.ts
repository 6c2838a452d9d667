import { LeaseHeldError } from '../core/projection-errors';
import type { ProjectionProgress } from '../engine/projection-progress';
import { ProjectionWorker } from '../engine/projection-worker';
import { yieldingEventStore } from './event-loop-yield';
import { rebuildLeaseName } from './operation-lease';
import { asError, REBUILD_PAGE_SIZE, retryer, type RebuildProjectionsOptions, type Run } from './rebuild-run';

/**
 * After the pass: the deferred indexes, then a worker catches the shadow up with the head (the
 * events appended meanwhile, maintaining the indexes now), then the switch, as for one projection.
 * A live worker still writing to the old copy gets StaleTargetError on its next commit and
 * resumes from the new copy's checkpoint.
 */
export async function finishRun(run: Run, options: RebuildProjectionsOptions): Promise<void> {
  if (run.outcome) return;
  const { projection, shadow } = run;
  const { store } = options;
  let checkpoint = run.checkpoint?.position;
  const result = () => ({
    projection: projection.name,
    target: shadow.target,
    resumed: run.resumed,
    checkpoint,
    applied: run.applied,
    parked: run.parked,
  });
  try {
    if (run.leaseLost) throw new LeaseHeldError(rebuildLeaseName(projection.name));
    if (options.signal?.aborted) {
      await store.setStatus(projection.name, run.statusBefore);
      run.outcome = { ...result(), switched: false };
      return;
    }
    await retryer(options)(() => store.prepareSwitch(shadow.target), run);
    const worker = new ProjectionWorker({
      batchSize: options.batchSize ?? REBUILD_PAGE_SIZE,
      // The pass has just read up to the head: a short wait for a first event is enough before
      // checking (through the store, not the wait) whether anything is left.
      idleMs: 10,
      ...options.worker,
      projection,
      // The catch-up is usually short, but under a busy log it is not: let timers and Ctrl-C in.
      eventStore: yieldingEventStore(options.eventStore),
      store,
      target: shadow.target,
      untilCaughtUp: true,
    });
    run.worker = worker;
    const base = { batches: run.batches, applied: run.applied, skipped: run.skipped, parked: run.parked };
    const merge = (p: ProjectionProgress): ProjectionProgress => ({
      ...p,
      batches: base.batches + p.batches,
      applied: base.applied + p.applied,
      skipped: base.skipped + p.skipped,
      parked: base.parked + p.parked,
      retries: run.retries + p.retries,
    });
    const off = options.onProgress ? worker.onProgress((p) => options.onProgress!(merge(p))) : undefined;
    const abort = () => void worker.stop();
    options.signal?.addEventListener('abort', abort, { once: true });
    try {
      if (!options.signal?.aborted && !run.leaseLost) {
        await worker.start();
        await worker.finished();
      }
    } finally {
      off?.();
      options.signal?.removeEventListener('abort', abort);
    }
    const p = merge(worker.progress());
    run.applied = p.applied;
    run.parked = p.parked;
    checkpoint = p.checkpoint ?? checkpoint;
    if (p.state === 'failed') {
      await store.setStatus(projection.name, run.statusBefore, `rebuild failed: ${p.lastError}`);
      throw new Error(`rebuild of ${projection.name} failed: ${p.lastError}`);
    }
    if (run.leaseLost) throw new LeaseHeldError(rebuildLeaseName(projection.name));
    if (options.signal?.aborted || !p.caughtUp) {
      await store.setStatus(projection.name, run.statusBefore);
      run.outcome = { ...result(), switched: false };
      return;
    }
    await store.switchLive(projection.name, shadow.target);
    await store.setStatus(projection.name, run.statusBefore, null);
    run.outcome = { ...result(), switched: true };
  } catch (e) {
    run.outcome = { projection: projection.name, error: asError(e) };
  }
}
