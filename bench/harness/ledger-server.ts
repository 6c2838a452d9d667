import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { serverEntry, type ServerApp } from './paths';

/** The one key the bench uses; set explicitly so the server runs as in production (NODE_ENV=production). */
export const BENCH_KEY = 'bench';
export const AUTH = { authorization: `Bearer ${BENCH_KEY}` };

export interface RunningServer {
  readonly url: string;
  /** The server's pid when it runs in its own process. */
  readonly pid?: number;
  /** CPU time (user + system) the server has used so far, in ms; undefined where unknown. */
  cpuMs(): number | undefined;
  /** Current and peak resident memory of the server process (MB), from /proc; undefined where unknown. */
  memoryMb(): { readonly rss: number; readonly peak: number } | undefined;
  stop(): Promise<void>;
}

/**
 * A process's CPU time from /proc (Linux). On a shared machine, CPU ms per request is the figure
 * that other processes' load does not distort: throughput and latency are.
 */
export function processCpuMs(pid: number): number | undefined {
  try {
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th of them.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

export function processMemoryMb(pid: number): { rss: number; peak: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
    return { rss: Math.round(kb('VmRSS') / 1024), peak: Math.round(kb('VmHWM') / 1024) };
  } catch {
    return undefined;
  }
}

export interface ServerOptions {
  readonly dataDir: string;
  /** Default all-in-one (commands, queries and projector on one port). */
  readonly app?: ServerApp;
  /** Adds `--cpu-prof` into this folder (child processes only). */
  readonly profileDir?: string;
  readonly readyTimeoutMs?: number;
  readonly env?: Readonly<Record<string, string>>;
}

/** Starts a ledger server on 127.0.0.1. */
export type ServerLauncher = (options: ServerOptions) => Promise<RunningServer>;

/**
 * The environment of every bench server: rate limiting off (it would cap the load at 100/s per
 * key), logs at warn so that logging costs what production costs, one explicit API key.
 */
export const benchEnv = (dataDir: string, port: number): Record<string, string> => ({
  NODE_ENV: 'production',
  HOST: '127.0.0.1',
  PORT: String(port),
  LEDGER_DATA_DIR: dataDir,
  LEDGER_API_KEYS: `${BENCH_KEY}=default:bench`,
  LEDGER_RATE_LIMIT_PER_MIN: '0',
  LOG_LEVEL: 'warn',
});

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Polls `/health/ready` every 5 ms until a 200; resolves with the milliseconds it took. */
export async function waitReady(
  url: string,
  timeoutMs: number,
  exited?: () => string | undefined,
): Promise<number> {
  const started = performance.now();
  for (;;) {
    const why = exited?.();
    if (why) throw new Error(`the server exited before it was ready: ${why}`);
    try {
      const res = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) return performance.now() - started;
    } catch {
      // not listening yet
    }
    if (performance.now() - started > timeoutMs)
      throw new Error(`${url} was not ready within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** `node dist/apps/all-in-one/src/main.js` as a child process: the real server, as `npm start` runs it. */
export const childServer: ServerLauncher = async (options) => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawnServer(options, port);
  let exit: string | undefined;
  const stderr: string[] = [];
  child.stderr?.on('data', (d: Buffer) => stderr.push(d.toString()));
  child.once(
    'exit',
    (code, signal) => (exit = `code ${code} signal ${signal} ${stderr.join('').slice(-2000)}`),
  );
  try {
    await waitReady(url, options.readyTimeoutMs ?? 60_000, () => exit);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  const pid = child.pid!;
  return {
    url,
    pid,
    cpuMs: () => processCpuMs(pid),
    memoryMb: () => processMemoryMb(pid),
    stop: () => stopChild(child),
  };
};

export function spawnServer(options: ServerOptions, port: number): ChildProcess {
  const args = options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : [];
  return spawn(process.execPath, [...args, serverEntry(options.app)], {
    env: { ...process.env, ...benchEnv(options.dataDir, port), ...options.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

/** SIGINT lets Nest shut down cleanly, which is also what makes `--cpu-prof` write its file. */
export function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGINT');
  });
}

/**
 * The same app built in this process (the smoke test: Jest runs the TypeScript sources and there
 * may be no `dist/`). Loaded lazily so the real bench never pulls Nest into the load generator.
 */
export const inProcessServer: ServerLauncher = async (options) => {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { loadConfig } = require('@ledger/platform/config') as typeof import('@ledger/platform/config');
  const { createHttpApp } = require('@ledger/platform/http') as typeof import('@ledger/platform/http');
  const root =
    options.app === 'query-api'
      ? (
          require('../../apps/query-api/src/query-api.app') as typeof import('../../apps/query-api/src/query-api.app')
        ).QueryApiApp
      : (
          require('../../apps/all-in-one/src/ledger.app') as typeof import('../../apps/all-in-one/src/ledger.app')
        ).LedgerApp;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const port = await freePort();
  const config = loadConfig({ ...benchEnv(options.dataDir, port), LOG_LEVEL: 'silent', ...options.env });
  const { app } = await createHttpApp(root.forRoot(config), config, 'ledger');
  await app.listen(port, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  await waitReady(url, options.readyTimeoutMs ?? 30_000);
  // The load generator shares this process, so its CPU time would say nothing about the server.
  return { url, cpuMs: () => undefined, memoryMb: () => undefined, stop: () => app.close() };
};
