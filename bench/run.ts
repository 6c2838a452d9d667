import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { FULL, QUICK, SCENARIOS, type BenchSizes, type ScenarioName } from './harness/bench-options';
import { childServer } from './harness/ledger-server';
import { pressure } from './harness/machine';
import { repoRoot, resultsDir, serverEntry } from './harness/paths';
import { textTable } from './harness/report';
import { runBench } from './run-bench';

const USAGE = `npm run bench -- [--quick] [--only ${SCENARIOS.join(',')}] [--profile <dir>] [--no-peers] [--out <file>] [--wait-quiet <seconds>] [--no-budget]`;

/** `npm run bench`: every scenario, a table on stdout, the JSON in bench/results/<date>.json. */
async function main(argv: string[]): Promise<number> {
  let quick = false;
  let peers = true;
  let only: ScenarioName[] | undefined;
  let profileDir: string | undefined;
  let out: string | undefined;
  let waitQuiet = 0;
  let budget = true;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') quick = true;
    else if (a === '--no-peers') peers = false;
    else if (a === '--only') only = argv[++i]?.split(',') as ScenarioName[];
    else if (a === '--profile') profileDir = argv[++i];
    else if (a === '--out') out = argv[++i];
    else if (a === '--wait-quiet') waitQuiet = Number(argv[++i]);
    else if (a === '--no-budget') budget = false;
    else {
      console.error(`unknown argument ${a}\n${USAGE}`);
      return 2;
    }
  }
  const unknown = only?.filter((s) => !SCENARIOS.includes(s));
  if (unknown?.length || (only && only.length === 0)) {
    console.error(`unknown scenario ${unknown?.join(', ')}\n${USAGE}`);
    return 2;
  }
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  if (waitQuiet > 0) await untilQuiet(waitQuiet);

  // Child processes run a private copy of dist/ (see distRoot); inside the checkout so that their
  // bare requires still find node_modules. .tmp/ is ignored by git.
  const snapshot = join(repoRoot(), '.tmp', `bench-dist-${process.pid}`);
  cpSync(join(repoRoot(), 'dist'), join(snapshot, 'dist'), { recursive: true });
  process.env.LEDGER_BENCH_DIST = join(snapshot, 'dist');
  try {
    const sizes = quick ? QUICK : FULL;
    return await runAndReport(
      budget ? sizes : { ...sizes, budgetSeconds: 365 * 86_400 },
      quick,
      only,
      profileDir,
      peers,
      out,
    );
  } finally {
    rmSync(snapshot, { recursive: true, force: true });
  }
}

async function runAndReport(
  sizes: BenchSizes,
  quick: boolean,
  only: ScenarioName[] | undefined,
  profileDir: string | undefined,
  peers: boolean,
  out: string | undefined,
): Promise<number> {
  const report = await runBench({
    mode: quick ? 'quick' : 'full',
    sizes,
    only,
    server: childServer,
    coldStartEntry: serverEntry(),
    isolateRebuild: true,
    peers,
    profileDir,
  });
  console.log(`\n${textTable(report.metrics)}\n`);
  for (const s of report.skipped) console.log(`skipped ${s.scenario}: ${s.reason}`);
  const file = out ?? join(resultsDir(), `${report.startedAt.replace(/[:.]/g, '-')}.json`);
  mkdirSync(resultsDir(), { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`${report.mode} run took ${report.durationS} s; results in ${file}`);
  return report.skipped.some((s) => s.reason.startsWith('failed')) ? 1 : 0;
}

/** I/O stalls (% of the last 10 s) above which the machine is not quiet: commits fsync. */
const NOISY_IO_STALL = 10;

/**
 * On a shared machine other people's test runs take the cores, and their disk traffic stalls our
 * commits: wait (bounded) until the 1-minute load average is below the core count and I/O stalls
 * under NOISY_IO_STALL % before measuring. Load and pressure at start and end are in the JSON.
 */
async function untilQuiet(maxSeconds: number): Promise<void> {
  const deadline = Date.now() + maxSeconds * 1000;
  const ioStall = () => pressure()?.io?.avg10 ?? 0;
  while ((loadavg()[0] >= cpus().length || ioStall() >= NOISY_IO_STALL) && Date.now() < deadline) {
    console.log(
      `waiting for a quieter machine: load average ${loadavg()[0].toFixed(2)} on ${cpus().length} cores, ` +
        `I/O stalled ${ioStall().toFixed(1)}% of the last 10 s`,
    );
    await new Promise((r) => setTimeout(r, 10_000));
  }
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  },
);
