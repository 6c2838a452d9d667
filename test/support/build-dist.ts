import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The repository root: every path a child process runs is relative to it. */
export const ROOT = resolve(__dirname, '..', '..');
export const DIST = join(ROOT, 'dist');

export const ENTRY = {
  projector: join(DIST, 'apps/projector/src/main.js'),
  queryApi: join(DIST, 'apps/query-api/src/main.js'),
  commandApi: join(DIST, 'apps/command-api/src/main.js'),
  allInOne: join(DIST, 'apps/all-in-one/src/main.js'),
  cli: join(ROOT, 'bin/ledger.js'),
  /** What bin/ledger.js loads. */
  cliMain: join(DIST, 'apps/ledger-cli/src/main.js'),
} as const;

const SOURCES = ['apps', 'libs', 'bench', 'bin', 'tsconfig.json', 'tsconfig.build.json'];
const STAMP = join(DIST, '.fault-tests-build-stamp');
// Keyed by the checkout, so two checkouts on one machine do not wait for each other.
const LOCK = join(
  tmpdir(),
  `ledger-build-${createHash('sha1').update(ROOT).digest('hex').slice(0, 12)}.lock`,
);
const LOCK_STALE_MS = 180_000;

/** Tests never change the build output, so only what `tsc` compiles counts. */
const compiled = (name: string) => !/\.(spec|e2e-spec)\.ts$/.test(name) && !name.endsWith('.md');

function newestMtime(path: string): number {
  const s = statSync(path, { throwIfNoEntry: false });
  if (!s) return 0;
  if (!s.isDirectory()) return compiled(path) ? s.mtimeMs : 0;
  let newest = 0;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry === 'peers' || entry === 'results') continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

const sourceStamp = (): string =>
  String(Math.ceil(Math.max(...SOURCES.map((s) => newestMtime(join(ROOT, s))))));

/**
 * The jest run this process belongs to: the main jest process (a forked worker's parent) and its
 * start time, so a reused pid is not mistaken for the same run.
 */
function jestRun(): string {
  const pid = process.send ? process.ppid : process.pid;
  let started = '';
  try {
    started = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[19] ?? '';
  } catch {
    // not Linux: the pid alone
  }
  return `${pid}:${started}`;
}

interface Stamp {
  readonly sources: string;
  readonly run: string;
}

/**
 * Built from these sources, or built earlier in this same jest run: a run uses one build even
 * while others keep editing the shared checkout (otherwise every suite would rebuild).
 */
function fresh(sources: string, run: string, entries: readonly string[]): boolean {
  if (!entries.every((e) => existsSync(e)) || !existsSync(STAMP)) return false;
  try {
    const saved = JSON.parse(readFileSync(STAMP, 'utf8')) as Stamp;
    return saved.sources === sources || saved.run === run;
  } catch {
    return false; // an old or half-written stamp: build
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function tool(args: string[]): { status: number | null; output: string } {
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout: 180_000 });
  return { status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

function build(entries: readonly string[]): void {
  const tsc = require.resolve('typescript/bin/tsc', { paths: [ROOT] });
  const alias = require.resolve('tsc-alias/dist/bin/index.js', { paths: [ROOT] });
  // Not `npm run build`: its `tsc && tsc-alias` skips the alias step when any file has a type
  // error, and in a shared checkout someone's half-written file always does. tsc emits anyway.
  let compiledRun = tool([tsc, '-p', 'tsconfig.build.json']);
  if (!entries.filter((e) => e.startsWith(DIST)).every((e) => existsSync(e))) {
    // An incremental build info left over from a deleted dist/ makes tsc emit nothing.
    compiledRun = tool([tsc, '-p', 'tsconfig.build.json', '--incremental', 'false']);
  }
  const aliased = tool([alias, '-p', 'tsconfig.build.json']);
  if (aliased.status !== 0) throw new Error(`tsc-alias failed:\n${aliased.output}`);
  const missing = entries.filter((e) => !existsSync(e));
  if (missing.length > 0) {
    throw new Error(`build did not produce ${missing.join(', ')}:\n${compiledRun.output.slice(0, 4000)}`);
  }
  if (compiledRun.status !== 0) {
    process.stderr.write(
      `[build-dist] tsc reported errors (output emitted anyway):\n${compiledRun.output.slice(0, 2000)}\n`,
    );
  }
}

/**
 * Makes dist/ current before a suite spawns the apps, at most once per source change and jest run:
 * the stamp records the newest source mtime it was built from, and a lock directory makes concurrent suites
 * (other jest workers, other engineers' runs) wait for one build instead of racing on dist/.
 * Returns how long it took, so a suite's timing can be read without the build.
 */
export async function ensureBuilt(entries: readonly string[] = [ENTRY.projector]): Promise<number> {
  const started = Date.now();
  const run = jestRun();
  for (;;) {
    const sources = sourceStamp();
    if (fresh(sources, run, entries)) return Date.now() - started;
    try {
      mkdirSync(LOCK);
    } catch {
      const age = Date.now() - (statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      // A builder killed mid-build leaves its lock behind; nothing builds for three minutes.
      if (age > LOCK_STALE_MS) rmSync(LOCK, { recursive: true, force: true });
      else await sleep(250);
      continue;
    }
    try {
      if (fresh(sources, run, entries)) return Date.now() - started;
      build(entries);
      writeFileSync(STAMP, JSON.stringify({ sources, run } satisfies Stamp));
      return Date.now() - started;
    } finally {
      rmSync(LOCK, { recursive: true, force: true });
    }
  }
}
