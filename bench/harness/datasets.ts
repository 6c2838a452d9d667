import { fork } from 'node:child_process';
import { join } from 'node:path';
import { createSqliteEventStore } from '@ledger/event-store';
import { seedLedger, type SeedResult } from '../fixtures/seed-ledger';
import type { CeilingResult, RebuildJobResult } from '../scenarios/rebuild.jobs';
import type { ScenarioContext } from './context';
import { fmt } from './report';

export interface Dataset {
  readonly dataDir: string;
  readonly seed: SeedResult;
  /** Set once the read models are built (by the rebuild scenario or for the queries). */
  rebuilt?: RebuildJobResult;
}

const datasets = new Map<string, Dataset>();

/** A seeded data dir, made once per run and shared by the rebuild and query scenarios. */
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
  const store = createSqliteEventStore({ file: join(dataDir, 'events.db') });
  ctx.log(`seeding ${name}: ${fmt(tasks)} tasks x ${eventsPerTask} events through the event-store port`);
  try {
    const seed = await seedLedger(store, {
      tasks,
      eventsPerTask,
      seed: name.length,
      onProgress: (n) => n % 100_000 === 0 && ctx.log(`  seeded ${fmt(n)} tasks`),
    });
    ctx.log(
      `seeded ${fmt(seed.events)} events in ${fmt(seed.seconds, 1)} s (${fmt(seed.events / seed.seconds)} events/s)`,
    );
    const dataset: Dataset = { dataDir, seed };
    datasets.set(key, dataset);
    return dataset;
  } finally {
    await store.close();
  }
}

/** Builds the read models of a dataset once (blue/green rebuild of every projection). */
export async function ensureReadModels(ctx: ScenarioContext, dataset: Dataset): Promise<RebuildJobResult> {
  dataset.rebuilt ??= await runJob<RebuildJobResult>(ctx, 'rebuild', dataset.dataDir);
  return dataset.rebuilt;
}

/**
 * Runs a rebuild job in a forked process (the real bench: its RSS is its own, and `--profile`
 * gives it its own CPU profile) or in this process (the smoke test runs TypeScript sources).
 */
export async function runJob<T extends RebuildJobResult | CeilingResult>(
  ctx: ScenarioContext,
  job: 'rebuild' | 'ceiling',
  dataDir: string,
): Promise<T> {
  if (!ctx.isolateRebuild) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const jobs = require('../scenarios/rebuild.jobs') as typeof import('../scenarios/rebuild.jobs');
    return (job === 'rebuild' ? await jobs.rebuildAll(dataDir, ctx.log) : jobs.readAndParse(dataDir)) as T;
  }
  const execArgv = ctx.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${ctx.profileDir}`] : [];
  const child = fork(join(__dirname, '..', 'scenarios', 'rebuild.child.js'), [job, dataDir], { execArgv });
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
