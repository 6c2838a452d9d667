import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ensureBuilt, ENTRY } from '../support/build-dist';
import { freePort, killAllChildren, sleep, spawnNode, waitFor, waitForHttp } from '../support/child-process';
import { tryOpenReadModels } from '../support/read-model-oracle';
import { seedLedger } from '../support/seed-ledger';

const KEY = 'shutdown-key-3c9d';
const headers = { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' };

const refused = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });

/** `npm start` as a real process: SIGTERM must drain, checkpoint and exit 0. */
describe('graceful shutdown on SIGTERM', () => {
  let dataDir: string;
  beforeAll(async () => {
    await ensureBuilt([ENTRY.allInOne]);
    dataDir = mkdtempSync(join(tmpdir(), 'ledger-sigterm-'));
  }, 240_000);
  afterAll(async () => {
    await killAllChildren();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stops accepting, lets the request in flight finish (the projector still running), checkpoints at the head, exits 0', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = spawnNode('all-in-one', ENTRY.allInOne, [], {
      LEDGER_DATA_DIR: dataDir,
      PORT: String(port),
      LEDGER_API_KEYS: `${KEY}=t1:alice`,
      LEDGER_READ_WAIT_MS: '30000',
      LOG_LEVEL: 'info',
    });
    await waitForHttp(child, `${url}/health/ready`);

    const created = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        fetch(`${url}/v1/tasks`, { method: 'POST', headers, body: JSON.stringify({ title: `t${i}` }) }),
      ),
    );
    expect(created.map((r) => r.status)).toEqual(Array(20).fill(201));

    // A backlog the projector is still folding when the signal comes, and a read waiting for all
    // of it: the projector must keep running while requests drain, then checkpoint and stop.
    const seeded = await seedLedger(dataDir, { tasks: 3_000, commandsPerTask: 4, tenants: ['t1'], seed: 7 });
    const head = Number(seeded.head);
    const waiting = fetch(`${url}/v1/stats`, { headers: { ...headers, 'X-Min-Position': String(head) } });
    waiting.catch(() => undefined); // awaited below; a failed assertion before must not leave it unhandled
    await sleep(100);
    const signalled = Date.now();
    child.process.kill('SIGTERM');
    // The signal is handled between two batches of the backlog.
    await waitFor(
      'the shutdown to begin',
      () => (child.stdout().includes('"shutting down') ? true : undefined),
      10_000,
      () => child.output(),
    );
    expect(await refused(port)).toBe(true);

    const answered = await waiting;
    process.stderr.write(
      `[shutdown] backlog of ${seeded.events} events; read answered ${Date.now() - signalled} ms after SIGTERM\n`,
    );
    expect(answered.status).toBe(200);
    expect(((await answered.json()) as { total: number }).total).toBe(20 + seeded.tasks);

    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>(
      (resolve) => (timer = setTimeout(() => resolve('timeout'), 20_000)),
    );
    const exit = await Promise.race([child.exited, timeout]).finally(() => clearTimeout(timer));
    expect(exit).toEqual({ code: 0, signal: null });

    const events = new Database(join(dataDir, 'events.db'), { readonly: true });
    expect((events.prepare('SELECT max(position) AS head FROM events').get() as { head: number }).head).toBe(
      head,
    );
    events.close();
    const readModels = tryOpenReadModels(dataDir)!;
    try {
      const checkpoints = readModels.checkpoints();
      expect([...checkpoints.keys()].sort()).toEqual(['stats', 'task-history', 'tasks']);
      for (const checkpoint of checkpoints.values()) expect(checkpoint).toBe(String(head));
    } finally {
      readModels.close();
    }

    const lines = child
      .stdout()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { msg?: string });
    const messages = lines.map((l) => l.msg);
    expect(messages).toContain('shutting down: no new connections, draining requests');
    expect(messages.indexOf('shut down cleanly')).toBeGreaterThan(
      messages.indexOf('shutting down: no new connections, draining requests'),
    );
    expect(child.output()).not.toContain(KEY);
  }, 60_000);
});
