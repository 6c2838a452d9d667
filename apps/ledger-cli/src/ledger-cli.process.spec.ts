import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteEventStore } from '@ledger/event-store';
import { seedTasks } from '@ledger/projections';
import { createSqliteProjectionStore } from '@ledger/read-models/adapters/sqlite';
import { run } from './cli';

/** The real CLI in a child process, from source (see testing/run-from-source.js): no build needed. */
const ENTRY = join(__dirname, 'testing', 'run-from-source.js');

let dir: string;
const children = new Set<ChildProcess>();
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ledger-cli-proc-'));
});
afterEach(() => {
  for (const c of children) c.kill('SIGKILL');
  children.clear();
  rmSync(dir, { recursive: true, force: true });
});

function spawnLedger(...args: string[]) {
  const child = spawn(process.execPath, [ENTRY, ...args], {
    env: { ...process.env, LEDGER_DATA_DIR: dir, NODE_ENV: 'test' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code) => {
      children.delete(child);
      resolve({ code, stdout, stderr });
    }),
  );
  return { child, exited };
}

describe('ledger CLI (child process)', () => {
  it('status --json prints one JSON document and exits 0; a usage error exits 2', async () => {
    const status = await spawnLedger('projections', 'status', '--json').exited;
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      ok: true,
      projections: [{ name: 'tasks' }, { name: 'task-history' }, { name: 'stats' }],
    });
    const usage = await spawnLedger('projections', 'rebuild').exited;
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/name a projection/);
  }, 30_000);

  it.each([[[]], [['--store-thread']]])(
    'Ctrl-C stops a rebuild %j cleanly (exit 130, shadow kept) and the next run resumes it',
    async (flags: string[]) => {
      const events = createSqliteEventStore({ file: join(dir, 'events.db') });
      await seedTasks({ eventStore: events, tasks: 2000, eventsPerTask: 6, seed: 'sigint' });
      await events.close();

      const rebuild = spawnLedger('projections', 'rebuild', 'tasks', '--batch-size', '50', ...flags);
      const store = createSqliteProjectionStore({ file: join(dir, 'read-models.db') });
      try {
        // Interrupt once the shadow has its first batches.
        for (let i = 0; ; i++) {
          const shadow = await store.getState('tasks').then(
            (s) => s?.shadow,
            () => undefined,
          );
          if (shadow?.checkpoint) break;
          if (i > 2000) throw new Error('the rebuild never started');
          await new Promise((r) => setTimeout(r, 10));
        }
        rebuild.child.kill('SIGINT');
        const stopped = await rebuild.exited;
        expect(stopped.code).toBe(130);
        expect(stopped.stdout).toMatch(/interrupted; the shadow \S+ keeps its progress/);
        const kept = (await store.getState('tasks'))!;
        expect(kept.shadow?.checkpoint).toBeDefined();
        expect(kept.checkpoint).toBeUndefined(); // the live copy was never switched

        let out = '';
        const code = await run(['projections', 'rebuild', 'tasks', '--json'], {
          env: { LEDGER_DATA_DIR: dir },
          out: (t) => void (out += t),
          err: () => undefined,
          isTTY: false,
        });
        expect(code).toBe(0);
        expect(JSON.parse(out).results[0]).toMatchObject({
          switched: true,
          resumed: true,
          target: kept.shadow!.target,
          checkpoint: '12000',
        });
      } finally {
        await store.close();
      }
    },
    60_000,
  );
});
