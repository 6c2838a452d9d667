import { fork } from 'node:child_process';
import { join } from 'node:path';
import { createSqliteEventStore, type EventStore } from '@ledger/event-store';
import { seedTasks } from '@ledger/projections';
import type { CeilingResult, RebuildJobResult } from '../scenarios/rebuild.jobs';
import type { FoldFloorResult } from '../scenarios/rebuild-fold-floor';
import type { WriteFloorResult } from '../scenarios/rebuild-write-floor';
import type { RebuildJob } from '../scenarios/rebuild.child';
import type { ScenarioContext } from './context';
import { distRoot } from './paths';
import { fmt } from './report';

export interface SeedSummary {
  readonly tasks: number;
  readonly events: number;
  readonly seconds: number;
  /** Up to 10,000 task ids, for the get-by-id queries. */
  readonly taskIds: string[];
}

export interface Dataset {
  readonly dataDir: string;
  readonly seed: SeedSummary;
  /** Set once the read models are built (by the rebuild scenario or for the queries). */
  rebuilt?: RebuildJobResult;
}

const datasets = new Map<string, Dataset>();

/**
 * A seeded data dir, made once per run and shared by the rebuild and query scenarios. Seeded by
 * the CLI's own `seedTasks` (`ledger seed`): realistic task lives decided by the real domain,
 * appended through the event-store port, the same for a given seed on every machine.
 */
export async function seededDataset(
  ctx: ScenarioContext,
  name: string,
  tasks: number,
  eventsPerTask: number,
): Promise<Dataset> {
  const key = `${ctx.workDir}:${name}`;
  const existing = datasets.get(key);
  if (existing) return existing;
  const dataDir = join(ctx.workDir, name);
  const eventStore = createSqliteEventStore({ file: join(dataDir, 'events.db') });
  ctx.log(
    `seeding ${name}: ${fmt(tasks)} tasks x ${eventsPerTask} events (ledger seed, through the event-store port)`,
  );
  try {
    let logged = 0;
    const result = await seedTasks({
      eventStore,
      tasks,
      eventsPerTask,
      seed: `bench-${name}`,
      onProgress: (p) => {
        if (p.tasks - logged < 100_000) return;
        logged = p.tasks;
        ctx.log(`  seeded ${fmt(p.tasks)} tasks`);
      },
    });
    const seed = {
      tasks: result.tasks,
      events: result.events,
      seconds: result.ms / 1000,
      taskIds: await sampleTaskIds(eventStore),
    };
    ctx.log(
      `seeded ${fmt(seed.events)} events in ${fmt(seed.seconds, 1)} s (${fmt(result.eventsPerSecond)} events/s)`,
    );
    const dataset: Dataset = { dataDir, seed };
    datasets.set(key, dataset);
    return dataset;
  } finally {
    await eventStore.close();
  }
}

/** Ids of the first 10,000 tasks of the log (a get by id is a primary-key lookup wherever the id sits). */
async function sampleTaskIds(store: EventStore): Promise<string[]> {
  const created = await store.readAll({ limit: 10_000, filter: { eventTypes: ['TaskCreated'] } });
  return created.map((e) => (e.data as { taskId: string }).taskId);
}

/** Builds the read models of a dataset once (blue/green rebuild of every projection, or of `only`). */
export async function ensureReadModels(
  ctx: ScenarioContext,
  dataset: Dataset,
  only: readonly string[] = [],
): Promise<RebuildJobResult> {
  dataset.rebuilt ??= await runJob<RebuildJobResult>(ctx, 'rebuild', dataset.dataDir, only);
  return dataset.rebuilt;
}

/**
 * Runs a rebuild job in a forked process (the real bench: its RSS is its own, and `--profile`
 * gives it its own CPU profile) or in this process (the smoke test runs TypeScript sources).
 */
export async function runJob<T extends RebuildJobResult | CeilingResult | FoldFloorResult | WriteFloorResult>(
  ctx: ScenarioContext,
  job: RebuildJob,
  dataDir: string,
  only: readonly string[] = [],
): Promise<T> {
  if (!ctx.isolateRebuild) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const jobs = require('../scenarios/rebuild.child') as typeof import('../scenarios/rebuild.child');
    return (await jobs.runRebuildJob(job, dataDir, ctx.log, only)) as T;
  }
  const execArgv = ctx.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${ctx.profileDir}`] : [];
  const child = fork(
    join(distRoot(), 'bench', 'scenarios', 'rebuild.child.js'),
    [job, dataDir, only.join(',')],
    {
      execArgv,
    },
  );
  return new Promise<T>((resolve, reject) => {
    let result: T | undefined;
    let error: string | undefined;
    child.on('message', (m: { log?: string; result?: T; error?: string }) => {
      if (m.log) ctx.log(`  ${m.log}`);
      if (m.result) result = m.result;
      if (m.error) error = m.error;
    });
    child.once('exit', (code) =>
      result && code === 0
        ? resolve(result)
        : reject(new Error(`${job} process failed (exit ${code}): ${error ?? 'no result'}`)),
    );
  });
}
