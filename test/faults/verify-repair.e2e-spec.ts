import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, ENTRY } from '../support/build-dist';
import { faultSeed, killAllChildren, seededRandom, type Child } from '../support/child-process';
import {
  expectExit,
  runLedger,
  spawnProjector,
  startQueryApi,
  waitForLiveHead,
} from '../support/fault-fixture';
import { collectReports, findingKeys } from '../support/ledger-reports';
import {
  corruptionKey,
  corruptProjection,
  snapshotRows,
  strayTaskId,
  type Corruption,
  type StoredRow,
} from '../support/read-model-corruption';
import { expectedReadModels, ReadModelFile, type ExpectedReadModels } from '../support/read-model-oracle';
import { seedLedger } from '../support/seed-ledger';

const TENANTS = ['t1', 't2', 't3'];
const KEYS = TENANTS.map((t) => `key-${t}`);
const API_KEYS = TENANTS.map((t, i) => `${KEYS[i]}=${t}:ops`).join(',');
const READ_MODELS = ['tasks', 'task-history', 'stats'];

describe('read models corrupted in the database: verify finds it, repair fixes exactly it', () => {
  const seed = faultSeed();
  const random = seededRandom(seed);
  let dataDir: string;
  let projector: Child;
  let expected: ExpectedReadModels;
  const before = new Map<string, Map<string, StoredRow>>();
  let corruptions: Corruption[] = [];

  beforeAll(async () => {
    process.stderr.write(`[verify-repair] FAULT_SEED=${seed}\n`);
    await ensureBuilt([ENTRY.projector, ENTRY.queryApi, ENTRY.cliMain]);
    dataDir = mkdtempSync(join(tmpdir(), 'ledger-fault-verify-'));
    const seeded = await seedLedger(dataDir, { tasks: 2000, commandsPerTask: 6, tenants: TENANTS, seed });
    // The projector keeps running throughout: verify and repair are meant to be safe beside it.
    projector = await spawnProjector(dataDir);
    await waitForLiveHead(dataDir, seeded.head!, projector);
    expected = await expectedReadModels(dataDir);
  }, 240_000);

  afterAll(async () => {
    await killAllChildren();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('verify reports every corrupted document and nothing else (exit 1)', async () => {
    const file = new ReadModelFile(dataDir, { readonly: false });
    try {
      for (const p of READ_MODELS) before.set(p, snapshotRows(file, p));
      corruptions = [
        ...corruptProjection(
          file,
          'tasks',
          0.01,
          random,
          (d) => ({ ...d, title: `${d.title} (tampered)` }),
          strayTaskId,
        ),
        ...corruptProjection(
          file,
          'task-history',
          0.01,
          random,
          (d) => ({ ...d, actor: 'mallory' }),
          // A revision the task never reached (unique per row: two rows may share a task).
          (r, i) => `${r.id.split(':')[0]}:${String(9_000_000 + i).padStart(10, '0')}`,
        ),
        ...corruptProjection(
          file,
          'stats',
          0.01,
          random,
          (d) => ({ ...d, total: (d.total as number) + 1 }),
          () => `t-stray-${Math.floor(random() * 1e6)}`,
        ),
      ];
    } finally {
      file.close();
    }
    process.stderr.write(`[verify-repair] corrupted ${corruptions.length} documents\n`);
    expect(corruptions.length).toBeGreaterThanOrEqual(30);

    const run = await runLedger(dataDir, ['projections', 'verify', '--all', '--json']);
    expectExit(run, 1, 'verify of a corrupted read model');
    const reports = collectReports(run.json);
    expect(reports.map((r) => r.projection).sort()).toEqual([...READ_MODELS].sort());
    expect(reports.every((r) => !r.truncated)).toBe(true);
    expect(findingKeys(reports)).toEqual(corruptions.map(corruptionKey).sort());
    // A changed document names the field that differs.
    const tasks = reports.find((r) => r.projection === 'tasks')!;
    for (const f of tasks.findings.filter((x) => x.kind === 'changed')) {
      expect(f.fields?.map((x) => x.field)).toEqual(['title']);
    }
  }, 120_000);

  it('repair rewrites exactly the corrupted documents; untouched rows keep every byte', async () => {
    const run = await runLedger(dataDir, ['projections', 'repair', '--all', '--json']);
    expectExit(run, 0, 'repair');
    const reports = collectReports(run.json);
    expect(findingKeys(reports)).toEqual(corruptions.map(corruptionKey).sort());
    const fixed = reports.reduce((n, r) => n + (r.fixed ?? 0), 0);
    expect(fixed).toBe(corruptions.length);

    const file = new ReadModelFile(dataDir);
    try {
      for (const p of READ_MODELS) {
        const now = snapshotRows(file, p);
        const was = before.get(p)!;
        // The same ids as before the damage: deleted ones back, stray ones gone.
        expect([...now.keys()].sort()).toEqual([...was.keys()].sort());
        const touched = new Set(corruptions.filter((c) => c.projection === p).map((c) => c.id));
        const differ = [...was.values()].filter((r) => {
          const n = now.get(r.id)!;
          // A repaired body may come back with another key order; any other row must be untouched.
          return touched.has(r.id)
            ? !sameJson(n.body, r.body)
            : n.body !== r.body || n.position !== r.position || n.position_key !== r.position_key;
        });
        expect({ projection: p, differ: differ.map((r) => r.id) }).toEqual({ projection: p, differ: [] });
      }
    } finally {
      file.close();
    }

    const again = await runLedger(dataDir, ['projections', 'verify', '--all', '--json']);
    expectExit(again, 0, 'verify after repair');
    expect(findingKeys(collectReports(again.json))).toEqual([]);
  }, 180_000);

  it('the query API serves the right data for every repaired document', async () => {
    const { url } = await startQueryApi(dataDir, API_KEYS);
    const get = async (path: string, tenant: string) => {
      const res = await fetch(`${url}${path}`, {
        headers: { Authorization: `Bearer ${KEYS[TENANTS.indexOf(tenant)]}` },
      });
      return {
        status: res.status,
        body: res.status === 200 ? ((await res.json()) as Record<string, unknown>) : undefined,
      };
    };
    for (const tenant of TENANTS) {
      expect({ tenant, ...(await get('/v1/stats', tenant)).body }).toEqual({
        tenant,
        ...expected.stats.get(tenant),
      });
    }
    for (const c of corruptions.filter((x) => x.projection === 'tasks')) {
      const want = expected.tasks.get(c.id);
      const tenant = (want?.tenantId as string | undefined) ?? TENANTS[0];
      const got = await get(`/v1/tasks/${c.id}`, tenant);
      if (!want) {
        expect({ id: c.id, status: got.status }).toEqual({ id: c.id, status: 404 });
        continue;
      }
      const { tenantId: _t, ...view } = want;
      expect(got).toEqual({ status: 200, body: view });
    }
    for (const c of corruptions.filter((x) => x.projection === 'task-history' && x.kind !== 'extra')) {
      const taskId = c.id.split(':')[0];
      const tenant = expected.tasks.get(taskId)!.tenantId as string;
      const want = [...expected.history.values()]
        .filter((h) => h.taskId === taskId)
        .sort((a, b) => (a.revision as number) - (b.revision as number))
        .map(({ revision, type, data, actor, occurredAt, position }) => ({
          revision,
          type,
          data,
          actor,
          occurredAt,
          position,
        }));
      expect(await get(`/v1/tasks/${taskId}/history`, tenant)).toEqual({
        status: 200,
        body: { items: want },
      });
    }
    // Lists go through the label side table, which the direct deletes and inserts left stale.
    for (const tenant of TENANTS) {
      const ids: string[] = [];
      for (let cursor = ''; ;) {
        const page = await get(
          `/v1/tasks?label=ops&limit=200${cursor && `&cursor=${encodeURIComponent(cursor)}`}`,
          tenant,
        );
        const body = page.body as { items: { id: string }[]; nextCursor: string | null };
        ids.push(...body.items.map((t) => t.id));
        if (!body.nextCursor) break;
        cursor = body.nextCursor;
      }
      const want = [...expected.tasks.values()]
        .filter((t) => t.tenantId === tenant && (t.labels as string[]).includes('ops'))
        .map((t) => t.id as string);
      expect({ tenant, ids: ids.sort() }).toEqual({ tenant, ids: want.sort() });
    }
  }, 120_000);
});

const sameJson = (a: string, b: string): boolean => {
  const canon = (s: string) =>
    JSON.stringify(JSON.parse(s), (_k, v: unknown) =>
      v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort()) : v,
    );
  return canon(a) === canon(b);
};
