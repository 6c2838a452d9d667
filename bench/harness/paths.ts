import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The repository root, found from this file so it works from `bench/` (tests) and `dist/bench/` alike. */
export function repoRoot(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (
      existsSync(pkg) &&
      (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'task-ledger'
    )
      return dir;
    if (dirname(dir) === dir) throw new Error(`no task-ledger package.json above ${__dirname}`);
  }
}

export const peersDir = (): string => join(repoRoot(), 'bench', 'peers');
export const resultsDir = (): string => join(repoRoot(), 'bench', 'results');
/** Which app a bench server runs: `npm start`'s all-in-one, or the query API alone (as docker-compose runs it). */
export type ServerApp = 'all-in-one' | 'query-api';
export const serverEntry = (app: ServerApp = 'all-in-one'): string =>
  join(distRoot(), 'apps', app, 'src', 'main.js');

/**
 * The compiled code the bench's child processes run: a private copy made at the start of the run
 * (see run.ts), because in this shared checkout other people's test runs rebuild dist/ at any time,
 * and a server spawned mid-build would load half-written or not-yet-aliased files.
 */
export const distRoot = (): string => process.env.LEDGER_BENCH_DIST ?? join(repoRoot(), 'dist');
