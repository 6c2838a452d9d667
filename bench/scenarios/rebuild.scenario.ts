import type { ScenarioContext } from '../harness/context';
import { ensureReadModels, runJob, seededDataset } from '../harness/datasets';
import { fmt } from '../harness/report';
import { round } from '../harness/stats';
import { emmettRebuild } from './emmett-rebuild';
import type { FoldFloorResult } from './rebuild-fold-floor';
import type { WriteFloorResult } from './rebuild-write-floor';
import type { CeilingResult, RebuildJobResult } from './rebuild.jobs';

/** The data set of scenarios 3 and 4: 100k tasks x 10 events in the full run. */
export const baseDataset = (ctx: ScenarioContext) =>
  seededDataset(ctx, 'ledger', ctx.sizes.rebuild.tasks, ctx.sizes.rebuild.eventsPerTask);

/**
 * Scenario 3: blue/green rebuild of every projection in one pass over the log (what
 * `ledger projections rebuild --all` does), beside the raw read ceiling and Emmett.
 */
export async function rebuildScenario(ctx: ScenarioContext): Promise<void> {
  const dataset = await baseDataset(ctx);
  const events = dataset.seed.events;
  ctx.log(`rebuild: ${fmt(events)} events, every projection, blue/green`);
  const rebuilt = await ensureReadModels(ctx, dataset);
  // The same rebuild with the store on a thread of its own (`--store-thread`), in the same run:
  // what the pipeline across two threads buys, and what it costs in memory.
  const storeThread = await runJob<RebuildJobResult>(ctx, 'rebuild-store-thread', dataset.dataDir);
  const ceiling = await runJob<CeilingResult>(ctx, 'ceiling', dataset.dataDir);
  const foldWork = await runJob<FoldFloorResult>(ctx, 'fold-floor', dataset.dataDir);
  const floor = await runJob<WriteFloorResult>(ctx, 'write-floor', dataset.dataDir);
  const ceilingRate = round(ceiling.events / ceiling.seconds);
  const floorRate = round(events / floor.seconds);
  const overall = round(events / rebuilt.seconds);
  ctx.detail('rebuild', {
    seed: { ...dataset.seed, taskIds: undefined },
    rebuilt,
    storeThread,
    ceiling,
    foldFloor: foldWork,
    floor,
  });

  const names = rebuilt.projections.map((p) => p.name).join(', ');
  ctx.log(
    `rebuild: ${fmt(rebuilt.seconds, 1)} s for ${names} in one pass; ceiling ${fmt(ceilingRate)}/s; peak RSS ${rebuilt.peakRssMb} MB`,
  );
  ctx.metric({
    scenario: 'rebuild',
    name: `all ${rebuilt.projections.length} projections, one pass, ${fmt(events)} events`,
    value: overall,
    unit: 'events/s',
    beside: `${fmt(rebuilt.seconds, 1)} s wall: read once, fold into ${names}, build indexes, catch up, switch`,
    target: { op: '>=', value: 100_000, text: '>= 100,000/s' },
  });
  const threadRate = round(events / storeThread.seconds);
  ctx.metric({
    scenario: 'rebuild',
    name: 'the same, --store-thread (store on a thread of its own)',
    value: threadRate,
    unit: 'events/s',
    beside:
      `${fmt(storeThread.seconds, 1)} s, peak RSS ${storeThread.peakRssMb} MB: ` +
      `${fmt((100 * threadRate) / overall)}% of the default's rate, ${fmt(storeThread.peakRssMb - rebuilt.peakRssMb)} MB more`,
  });
  ctx.metric({ scenario: 'rebuild', name: 'wall time', value: rebuilt.seconds, unit: 's' });
  ctx.metric({
    scenario: 'rebuild',
    name: 'peak RSS (rebuild process)',
    value: rebuilt.peakRssMb,
    unit: 'MB',
    target: { op: '<', value: 300, text: '< 300 MB' },
  });
  ctx.metric({
    scenario: 'rebuild',
    name: 'ceiling: raw read + JSON.parse',
    value: ceilingRate,
    unit: 'events/s',
    beside: `the one-pass rebuild at ${fmt((100 * overall) / ceilingRate)}% of it`,
  });
  ctx.metric({
    scenario: 'rebuild',
    name: 'floor: SQLite writes alone (the rebuilt rows inserted, then indexed)',
    value: floorRate,
    unit: 'events/s',
    beside:
      `${fmt(floor.rows)} rows in ${fmt(floor.insertSeconds, 1)} s + ${floor.indexes} indexes in ${fmt(floor.indexSeconds, 1)} s, ` +
      `no read, fold or JSON; one writer per file: no rebuild of this log beats it; ours at ${fmt((100 * overall) / floorRate)}% of it`,
  });
  const foldRate = round(events / foldWork.seconds);
  ctx.metric({
    scenario: 'rebuild',
    name: 'fold floor: read through the port, upcast, fold into all, JSON; no store',
    value: foldRate,
    unit: 'events/s',
    beside:
      `${fmt(foldWork.seconds, 1)} s on one thread (read ${fmt(foldWork.readSeconds, 1)}, fold ${fmt(foldWork.foldSeconds, 1)}, ` +
      `JSON ${fmt(foldWork.jsonSeconds, 1)}) for ${fmt(foldWork.writes)} writes, every document in memory, nothing written`,
  });
  // Three bounds from the two floors, measured in this run. The default rebuild does the fold's
  // work and the writes on one thread, one after the other. --store-thread folds on one thread
  // while the other writes, then builds the indexes (they need the finished tables). No rebuild
  // with these folds beats the third: both cores share the fold's work and the inserts perfectly
  // (for free), the inserts stay on one writer, and the indexes follow.
  const oneThread = round(events / (foldWork.seconds + floor.seconds));
  ctx.metric({
    scenario: 'rebuild',
    name: 'one-thread bound: the fold floor, then the write floor',
    value: oneThread,
    unit: 'events/s',
    beside: `the default's shape; the default at ${fmt((100 * overall) / oneThread)}% of it`,
  });
  const twoThreads = round(events / (Math.max(foldWork.seconds, floor.insertSeconds) + floor.indexSeconds));
  ctx.metric({
    scenario: 'rebuild',
    name: 'two-thread bound: the fold floor beside the inserts, then the indexes',
    value: twoThreads,
    unit: 'events/s',
    beside: `--store-thread's shape; --store-thread at ${fmt((100 * threadRate) / twoThreads)}% of it`,
  });
  const insertsAndFold = foldWork.seconds + floor.insertSeconds;
  const twoCores = round(events / (Math.max(insertsAndFold / 2, floor.insertSeconds) + floor.indexSeconds));
  ctx.metric({
    scenario: 'rebuild',
    name: 'two-core bound: fold floor and inserts split evenly over 2 cores, then the indexes',
    value: twoCores,
    unit: 'events/s',
    beside: `no rebuild with these folds beats it here: ${fmt(insertsAndFold, 1)} s of work on 2 cores, then ${fmt(floor.indexSeconds, 1)} s of index builds on the one writer`,
  });

  const { emmettMaxEvents, emmettMaxSeconds } = ctx.sizes.rebuild;
  if (!ctx.emmett || emmettMaxEvents === 0) {
    ctx.skip('rebuild', 'Emmett projection skipped (peer not loaded or disabled at this size)');
    return;
  }
  const e = await emmettRebuild(ctx.emmett, dataset.dataDir, ctx.workDir, emmettMaxEvents, emmettMaxSeconds);
  const emmettRate = e.events > 0 ? round(e.events / e.seconds) : null;
  ctx.detail('rebuild-emmett', e);
  ctx.log(`rebuild: Emmett folded ${fmt(e.events)} events in ${fmt(e.seconds, 1)} s`);
  ctx.metric({
    scenario: 'rebuild',
    name: 'Emmett consumer, tasks fold only',
    value: emmettRate,
    unit: 'events/s',
    beside: `${fmt(e.events)} events in ${fmt(e.seconds, 1)} s; ours, all ${rebuilt.projections.length} in one pass: ${fmt(overall)}/s`,
  });
}
