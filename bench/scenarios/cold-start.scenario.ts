import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { ScenarioContext } from '../harness/context';
import { benchEnv, freePort, stopChild, waitReady } from '../harness/ledger-server';
import { fmt } from '../harness/report';
import { median, round } from '../harness/stats';

/**
 * Scenario 6: from spawning `node dist/apps/all-in-one/src/main.js` (what `npm start` runs after
 * its build) to the first 200 on /health/ready, on a fresh data dir each time. Median of N.
 */
export async function coldStartScenario(ctx: ScenarioContext): Promise<void> {
  const { runs, timeoutSeconds } = ctx.sizes.coldStart;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const port = await freePort();
    const started = performance.now();
    const child = spawn(process.execPath, [ctx.coldStartEntry], {
      env: { ...process.env, ...benchEnv(join(ctx.workDir, `cold-${i}`), port) },
      stdio: 'ignore',
    });
    let exited: string | undefined;
    child.once('exit', (code) => (exited = `exit code ${code}`));
    try {
      await waitReady(`http://127.0.0.1:${port}`, timeoutSeconds * 1000, () => exited);
      times.push(round(performance.now() - started, 1));
    } finally {
      await stopChild(child);
    }
  }
  const med = median(times);
  ctx.detail('cold-start', { runsMs: times });
  ctx.log(`cold start: ${times.map((t) => fmt(t)).join(', ')} ms; median ${fmt(med)} ms`);
  ctx.metric({
    scenario: 'cold start',
    name: `start -> /health/ready 200, median of ${runs}`,
    value: med,
    unit: 'ms',
    beside: `runs: ${times.map((t) => fmt(t)).join(', ')} ms`,
  });
}
