import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { ROOT } from './build-dist';

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  readonly exited: Promise<Exit>;
  /** stdout and stderr so far, interleaved, for failure messages. */
  output(): string;
  stdout(): string;
  /** SIGKILL, then waits for the exit: nothing of the child runs after this resolves. */
  kill9(): Promise<Exit>;
}

const live = new Set<Child>();

// A jest worker that dies (or a test that forgets) must not leave apps holding ports and files.
process.once('exit', () => {
  for (const c of live) c.process.kill('SIGKILL');
});

/** Output kept per child; a chatty child must not grow the test process without bound. */
const MAX_OUTPUT = 1_000_000;

/** Starts `node <script> ...args` from the repository root with a quiet, test-only environment. */
export function spawnNode(
  name: string,
  script: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Child {
  const proc = spawn(process.execPath, [script, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let all = '';
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => {
    if (out.length < MAX_OUTPUT) out += d.toString();
    if (all.length < MAX_OUTPUT) all += d.toString();
  });
  proc.stderr!.on('data', (d: Buffer) => {
    if (all.length < MAX_OUTPUT) all += d.toString();
  });
  const exited = new Promise<Exit>((resolve) => {
    proc.once('exit', (code, signal) => resolve({ code, signal }));
    proc.once('error', (e) => {
      all += `\nspawn error: ${e.message}`;
      resolve({ code: null, signal: null });
    });
  });
  const child: Child = {
    name,
    process: proc,
    exited,
    output: () => all,
    stdout: () => out,
    kill9: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      return exited;
    },
  };
  live.add(child);
  void exited.then(() => live.delete(child));
  return child;
}

/** For afterAll and finally blocks: every child this test file started, killed and reaped. */
export async function killAllChildren(): Promise<void> {
  await Promise.all([...live].map((c) => c.kill9()));
}

export interface RunResult extends Exit {
  readonly stdout: string;
  readonly output: string;
}

/** Runs a child to completion (or kills it at the timeout and says so). */
export async function runNode(
  name: string,
  script: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 60_000,
): Promise<RunResult> {
  const child = spawnNode(name, script, args, env);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void child.kill9();
  }, timeoutMs);
  const exit = await child.exited.finally(() => clearTimeout(timer));
  if (timedOut)
    throw new Error(
      `${name} ${args.join(' ')} did not finish in ${timeoutMs} ms:\n${child.output().slice(-3000)}`,
    );
  return { ...exit, stdout: child.stdout(), output: child.output() };
}

/** A port free right now; the small race with other processes is retried by the caller's start-up wait. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls until `check` returns a value (not undefined) or the time is up; then throws with `describe()`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  describe: () => string = () => '',
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      const cause = lastError instanceof Error ? `\nlast error: ${lastError.message}` : '';
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${cause}\n${describe().slice(-3000)}`,
      );
    }
    await sleep(intervalMs);
  }
}

/** Like waitFor, but fails at once (with the child's output) if `child` exits first. */
export async function waitWhileRunning<T>(
  child: Child,
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  intervalMs = 50,
): Promise<T> {
  let stop = false;
  const done = waitFor(
    what,
    () => (stop ? (null as T) : check()),
    timeoutMs,
    () => child.output(),
    intervalMs,
  );
  const died = child.exited.then((e) => {
    throw new Error(
      `${child.name} exited (${JSON.stringify(e)}) while waiting for ${what}:\n${child.output().slice(-3000)}`,
    );
  });
  try {
    return await Promise.race([done, died]);
  } finally {
    stop = true;
    died.catch(() => undefined);
    await done.catch(() => undefined);
  }
}

/** Waits for a 200 from `url`, failing fast if the child exits first. */
export async function waitForHttp(child: Child, url: string, timeoutMs = 30_000): Promise<void> {
  await waitWhileRunning(
    child,
    `${child.name} at ${url}`,
    async () => ((await fetch(url).catch(() => undefined))?.status === 200 ? true : undefined),
    timeoutMs,
    100,
  );
}

/** A small seeded PRNG (mulberry32): the kill points of a run are reproducible from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FAULT_SEED reproduces a failing run; otherwise a fresh seed, printed by the suite. */
export const faultSeed = (): number =>
  process.env.FAULT_SEED ? Number(process.env.FAULT_SEED) : Math.floor(Math.random() * 2 ** 31);
