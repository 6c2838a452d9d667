import { ENTRY } from './build-dist';
import {
  freePort,
  runNode,
  spawnNode,
  waitFor,
  waitForHttp,
  waitWhileRunning,
  type Child,
  type RunResult,
} from './child-process';
import { tryOpenReadModels } from './read-model-oracle';

export const READ_MODELS = ['tasks', 'task-history', 'stats'] as const;

/**
 * Smallest live checkpoint over the read models, as a number (SQLite positions are row ids);
 * 0 while read-models.db or its tables do not exist yet.
 */
export function liveProgress(dataDir: string, projections: readonly string[] = READ_MODELS): number {
  const file = tryOpenReadModels(dataDir);
  if (!file) return 0;
  try {
    const cps = file.checkpoints();
    return Math.min(...projections.map((p) => Number(cps.get(p) ?? 0)));
  } catch {
    return 0; // the tables are created by the first process that opens the store
  } finally {
    file.close();
  }
}

/** Polls read-models.db until every live checkpoint reached `head`. */
export async function waitForLiveHead(
  dataDir: string,
  head: string | number,
  child?: Child,
  timeoutMs = 90_000,
) {
  const what = `every read model to reach position ${head}`;
  const reached = () => (liveProgress(dataDir) >= Number(head) ? true : undefined);
  await (child
    ? waitWhileRunning(child, what, reached, timeoutMs, 20)
    : waitFor(what, reached, timeoutMs, () => '', 20));
}

/** The projector as its own process; does not wait for HTTP (a catch-up delays the listen). */
export async function spawnProjector(dataDir: string, env: NodeJS.ProcessEnv = {}): Promise<Child> {
  return spawnNode('projector', ENTRY.projector, [], {
    LEDGER_DATA_DIR: dataDir,
    PORT: String(await freePort()),
    ...env,
  });
}

/** The query API as its own process, ready to serve; returns its base URL. */
export async function startQueryApi(
  dataDir: string,
  apiKeys: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ child: Child; url: string }> {
  const port = await freePort();
  const child = spawnNode('query-api', ENTRY.queryApi, [], {
    LEDGER_DATA_DIR: dataDir,
    PORT: String(port),
    LEDGER_API_KEYS: apiKeys,
    LEDGER_RATE_LIMIT_PER_MIN: '0',
    ...env,
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(child, `${url}/health/ready`);
  return { child, url };
}

export interface LedgerRun extends RunResult {
  /** The parsed `--json` document, when stdout held one. */
  readonly json?: unknown;
}

/** `node bin/ledger.js <args>` against a data dir, to completion. */
export async function runLedger(
  dataDir: string,
  args: readonly string[],
  timeoutMs = 120_000,
): Promise<LedgerRun> {
  const r = await runNode('ledger', ENTRY.cli, args, { LEDGER_DATA_DIR: dataDir }, timeoutMs);
  let json: unknown;
  if (args.includes('--json')) {
    try {
      json = JSON.parse(r.stdout);
    } catch {
      json = undefined;
    }
  }
  return { ...r, json };
}

/** Fails with the command's output when it did not exit as expected. */
export function expectExit(run: LedgerRun, code: number, what: string): void {
  if (run.code !== code) {
    throw new Error(
      `${what}: expected exit ${code}, got ${JSON.stringify({ code: run.code, signal: run.signal })}\n${run.output.slice(-4000)}`,
    );
  }
}

/** `ledger ... ` as a running child, for kill -9 tests. */
export function spawnLedger(dataDir: string, args: readonly string[]): Child {
  return spawnNode('ledger', ENTRY.cli, args, { LEDGER_DATA_DIR: dataDir });
}

export interface ProjectionRow {
  readonly name: string;
  readonly live: string;
  readonly shadow?: string;
  readonly status: string;
  readonly shadowCheckpoint: number;
}

/** The blue/green bookkeeping of read-models.db as it stands (read-only, one snapshot). */
export function projectionRows(dataDir: string): Map<string, ProjectionRow> {
  const file = tryOpenReadModels(dataDir);
  if (!file) return new Map();
  try {
    const rows = file.db
      .prepare(
        `SELECT p.name, p.live_target, p.shadow_target, p.status, t.checkpoint FROM projections p
         LEFT JOIN targets t ON t.target = p.shadow_target`,
      )
      .all() as {
      name: string;
      live_target: string;
      shadow_target: string | null;
      status: string;
      checkpoint: string | null;
    }[];
    return new Map(
      rows.map((r) => [
        r.name,
        {
          name: r.name,
          live: r.live_target,
          ...(r.shadow_target ? { shadow: r.shadow_target } : {}),
          status: r.status,
          shadowCheckpoint: Number(r.checkpoint ?? 0),
        },
      ]),
    );
  } catch {
    return new Map();
  } finally {
    file.close();
  }
}

/** Every table of read-models.db whose name says it holds documents of a target. */
export function documentTables(dataDir: string): string[] {
  const file = tryOpenReadModels(dataDir);
  if (!file) return [];
  try {
    return (
      file.db
        .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'doc\\_\\_%' ESCAPE '\\'`)
        .all() as {
        name: string;
      }[]
    ).map((r) => r.name);
  } finally {
    file.close();
  }
}
