import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireOperationLease, type ProjectionStore } from '@ledger/projections';
import { createSqliteProjectionStore } from '@ledger/read-models/adapters/sqlite';
import { run } from './cli';
import type { CliIo } from './cli-io';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ledger-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Runs one command line in-process against the temp data dir; output captured. */
async function ledger(...argv: string[]) {
  return ledgerWith({}, ...argv);
}

async function ledgerWith(env: NodeJS.ProcessEnv, ...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    env: { LEDGER_DATA_DIR: dir, NODE_ENV: 'test', ...env },
    out: (t) => void (stdout += t),
    err: (t) => void (stderr += t),
    isTTY: false,
  };
  const code = await run(argv, io);
  return {
    code,
    stdout,
    stderr,
    json: () => JSON.parse(stdout) as Record<string, unknown> & { results: Record<string, unknown>[] },
  };
}

/** The read-model database as another process would see it, for corrupting it directly. */
async function withReadModels<T>(fn: (store: ProjectionStore) => Promise<T>): Promise<T> {
  const store = createSqliteProjectionStore({ file: join(dir, 'read-models.db') });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

describe('ledger CLI (in-process)', () => {
  it.each([
    [[]],
    [['projections', 'frob']],
    [['projections', 'verify']],
    [['projections', 'verify', 'nope']],
    [['projections', 'verify', 'tasks', '--all']],
    [['projections', 'verify', 'tasks', '--sample', '0']],
    [['projections', 'replay', 'tasks']],
    [['projections', 'replay', 'tasks', '--from', 'not-a-position']],
    [['seed']],
    [['seed', '--tasks', 'many']],
    [['parked', 'retry']],
  ])('exits 2 on a usage error: %j', async (argv) => {
    const r = await ledger(...argv);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toBe('');
  });

  it('--help exits 0', async () => {
    const r = await ledger('projections', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/rebuild/);
  });

  it('status --json on an empty ledger: every projection, not started', async () => {
    const r = await ledger('projections', 'status', '--json');
    expect(r.code).toBe(0);
    const { projections } = r.json() as unknown as { projections: { name: string; state: string }[] };
    expect(projections.map((p) => [p.name, p.state])).toEqual([
      ['tasks', 'not started'],
      ['task-history', 'not started'],
      ['stats', 'not started'],
    ]);
  });

  it('seed, rebuild, verify clean; corrupt a document; verify exits 1 naming it; repair; verify clean again', async () => {
    const seeded = await ledger(
      'seed',
      '--tasks',
      '30',
      '--events-per-task',
      '5',
      '--tenant',
      'acme',
      '--seed',
      'cli',
      '--json',
    );
    expect(seeded.code).toBe(0);
    expect(seeded.json()).toMatchObject({ ok: true, tasks: 30, events: 150, tenantId: 'acme', seed: 'cli' });

    const rebuilt = await ledger('projections', 'rebuild', '--all', '--json');
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.json().results.map((x) => x.switched)).toEqual([true, true, true]);
    expect((await ledger('projections', 'verify', '--all')).code).toBe(0);

    const victim = await withReadModels(async (store) => {
      const target = (await store.getState('tasks'))!.liveTarget;
      const [d] = await store.scanDocuments<{ id: string; tenantId: string; title: string }>(target, {
        limit: 1,
      });
      await store.commitBatch(target, [{ ...d, doc: { ...d.doc, title: 'tampered' }, guard: 'not-older' }]);
      return d;
    });
    const drift = await ledger('projections', 'verify', 'tasks', '--json');
    expect(drift.code).toBe(1);
    expect(drift.json().results[0]).toMatchObject({
      ok: false,
      changed: 1,
      findings: [
        {
          kind: 'changed',
          id: victim.id,
          fields: [{ field: 'title', stored: 'tampered', expected: victim.doc.title }],
        },
      ],
    });
    const textfile = join(dir, 'verify.prom');
    expect((await ledger('projections', 'verify', 'tasks', '--metrics-textfile', textfile)).code).toBe(1);
    const metrics = readFileSync(textfile, 'utf8');
    expect(metrics).toMatch(/^ledger_verify_drifted_documents\{projection="tasks"\} 1$/m);
    expect(metrics).toMatch(/^ledger_verify_checked_documents\{projection="tasks"\} 30$/m);
    const plain = await ledger('projections', 'verify', 'tasks');
    expect(plain.stdout).toContain(
      `tasks changed ${victim.id}  title: "tampered" -> ${JSON.stringify(victim.doc.title)}`,
    );

    const repaired = await ledger('projections', 'repair', 'tasks');
    expect(repaired.code).toBe(0);
    expect(repaired.stdout).toContain(`fixed: tasks changed ${victim.id}`);
    expect((await ledger('projections', 'verify', '--all', '--json')).json()).toMatchObject({ ok: true });

    const replayed = await ledger('projections', 'replay', 'stats', '--from', 'start', '--json');
    expect(replayed.code).toBe(0);
    expect(replayed.json()).toMatchObject({ ok: true, events: expect.any(Number), documentsRewritten: 0 });

    expect((await ledger('parked', 'list', '--json')).json()).toEqual({ ok: true, parked: [] });
    expect((await ledger('parked', 'discard', 'tasks:nope')).code).toBe(1);
    const status = (await ledger('projections', 'status')).stdout;
    expect(status).toMatch(/^tasks\s+1\s+stopped\s+150\s+150\s+0\s+0\s+0/m);
  });

  it('rebuilds with --store-thread (the store on a worker thread) into read models that verify clean', async () => {
    expect((await ledger('seed', '--tasks', '40', '--events-per-task', '6', '--seed', 'thread')).code).toBe(
      0,
    );
    const rebuilt = await ledger(
      'projections',
      'rebuild',
      '--all',
      '--store-thread',
      '--batch-size',
      '25',
      '--json',
    );
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.json().results).toEqual([
      expect.objectContaining({ projection: 'tasks', switched: true, applied: 240 }),
      expect.objectContaining({ projection: 'task-history', switched: true, applied: 240 }),
      expect.objectContaining({ projection: 'stats', switched: true }),
    ]);
    // verify folds the whole log again, on this thread, and compares every document.
    expect((await ledger('projections', 'verify', '--all', '--json')).json()).toMatchObject({ ok: true });
  });

  it('refuses --store-thread for MongoDB read models, before connecting to anything', async () => {
    const r = await ledgerWith(
      { MONGO_URL: 'mongodb://127.0.0.1:1' },
      'projections',
      'rebuild',
      'tasks',
      '--store-thread',
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--store-thread is for the embedded store');
  });

  it('a rebuild while another process holds the lease exits 1 and names the holder', async () => {
    await withReadModels((store) =>
      acquireOperationLease(store, 'rebuild:tasks', 'ops-box:4242:beef', 60_000, 'rebuild'),
    );
    const r = await ledger('projections', 'rebuild', 'tasks');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/rebuild:tasks is held by rebuild ops-box:4242:beef \(pid \d+ on /);
  });
});
