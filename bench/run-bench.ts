import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { SCENARIOS, type BenchSizes, type ScenarioName } from './harness/bench-options';
import type { ScenarioContext } from './harness/context';
import type { ServerLauncher } from './harness/ledger-server';
import { describeMachine, pressure } from './harness/machine';
import { loadEmmett } from './harness/peers';
import { judge, type BenchReport, type Metric, type Skipped } from './harness/report';
import { appendScenario } from './scenarios/append.scenario';
import { coldStartScenario } from './scenarios/cold-start.scenario';
import { commandsScenario } from './scenarios/commands.scenario';
import { queriesScenario } from './scenarios/queries.scenario';
import { rebuildScenario } from './scenarios/rebuild.scenario';

export interface RunOptions {
  readonly mode: string;
  readonly sizes: BenchSizes;
  readonly only?: readonly ScenarioName[];
  readonly server: ServerLauncher;
  readonly coldStartEntry: string;
  readonly isolateRebuild: boolean;
  /** Load (and on first use install) Emmett from bench/peers. */
  readonly peers: boolean;
  readonly profileDir?: string;
  readonly log?: (line: string) => void;
}

/**
 * Runs the selected scenarios in a fixed order (the rebuild seeds the data set the queries read)
 * and returns the report; a scenario that throws is recorded as skipped with its error, the
 * others still run.
 */
export async function runBench(options: RunOptions): Promise<BenchReport> {
  const startedAt = new Date();
  const log = options.log ?? ((line: string) => console.log(line));
  const selected = new Set(options.only?.length ? options.only : SCENARIOS);
  const metrics: Metric[] = [];
  const skipped: Skipped[] = [];
  const details: Record<string, unknown> = {};
  const workDir = mkdtempSync(join(tmpdir(), 'ledger-bench-'));
  const machine = describeMachine();

  const needsEmmett = options.peers && (selected.has('append') || selected.has('rebuild'));
  const peer = needsEmmett ? loadEmmett(log) : { skipped: 'peers disabled' };
  if ('skipped' in peer && needsEmmett) skipped.push({ scenario: 'peers', reason: peer.skipped });

  const ctx: ScenarioContext = {
    sizes: options.sizes,
    deadline: startedAt.getTime() + options.sizes.budgetSeconds * 1000,
    reserveSeconds: selected.has('cold-start') ? options.sizes.coldStart.runs * 6 : 0,
    workDir,
    log,
    metric: (m) => metrics.push(judge(m)),
    skip: (scenario, reason) => skipped.push({ scenario, reason }),
    detail: (scenario, value) => (details[scenario] = value),
    emmett: 'emmett' in peer ? peer.emmett : undefined,
    server: options.server,
    profileDir: options.profileDir,
    isolateRebuild: options.isolateRebuild,
    coldStartEntry: options.coldStartEntry,
  };

  const steps: [string, boolean, () => Promise<void>][] = [
    ['append', selected.has('append'), () => appendScenario(ctx)],
    [
      'commands',
      selected.has('commands') || selected.has('read-your-writes'),
      () =>
        commandsScenario(ctx, {
          commands: selected.has('commands'),
          readYourWrites: selected.has('read-your-writes'),
        }),
    ],
    ['rebuild', selected.has('rebuild'), () => rebuildScenario(ctx)],
    ['queries', selected.has('queries'), () => queriesScenario(ctx)],
    ['cold-start', selected.has('cold-start'), () => coldStartScenario(ctx)],
  ];
  const timings: Record<string, number> = {};
  try {
    for (const [name, enabled, run] of steps) {
      if (!enabled) continue;
      const t0 = performance.now();
      log(`-- ${name}`);
      try {
        await run();
      } catch (e) {
        log(`${name} FAILED: ${(e as Error).stack ?? e}`);
        skipped.push({ scenario: name, reason: `failed: ${(e as Error).message}` });
      }
      timings[name] = Math.round((performance.now() - t0) / 100) / 10;
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  const finishedAt = new Date();
  return {
    mode: options.mode,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationS: Math.round((finishedAt.getTime() - startedAt.getTime()) / 100) / 10,
    machine: {
      ...machine,
      loadAverageAtEnd: loadavg().map((l) => Math.round(l * 100) / 100),
      pressureAtEnd: pressure(),
    },
    sizes: options.sizes,
    metrics,
    skipped,
    details: { ...details, scenarioSeconds: timings },
  };
}
