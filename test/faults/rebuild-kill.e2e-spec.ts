import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ensureBuilt, ENTRY } from '../support/build-dist';
import {
  faultSeed,
  killAllChildren,
  seededRandom,
  sleep,
  waitWhileRunning,
  type Child,
} from '../support/child-process';
import {
  documentTables,
  expectExit,
  projectionRows,
  READ_MODELS,
  runLedger,
  spawnLedger,
  spawnProjector,
  waitForLiveHead,
} from '../support/fault-fixture';
import { compareDocuments, expectedReadModels, ReadModelFile } from '../support/read-model-oracle';
import { snapshotRows } from '../support/read-model-corruption';
import { seedLedger } from '../support/seed-ledger';

const TENANTS = ['t1', 't2'];
const KILLS = 5;

/**
 * How far one run of `rebuild --all` has got, summed over the read models: one switched since the
 * run started counts the whole head, one being rebuilt its shadow's checkpoint. Every run rebuilds
 * every read model (resuming a killed shadow), so kill points are drawn on this scale afresh each run.
 */
function rebuildProgress(dataDir: string, liveAtStart: Map<string, string>, head: number): number {
  const rows = projectionRows(dataDir);
  return READ_MODELS.reduce((sum, p) => {
    const r = rows.get(p);
    if (!r) return sum;
    return sum + (r.live !== liveAtStart.get(p) ? head : Math.min(head, r.shadowCheckpoint));
  }, 0);
}

const liveTargets = (dataDir: string) =>
  new Map([...projectionRows(dataDir)].map(([name, r]) => [name, r.live]));

describe('rebuild killed with SIGKILL at random points, then rerun', () => {
  const seed = faultSeed();
  const random = seededRandom(seed);
  const dirs: string[] = [];
  const log: string[] = [];
  const t0 = Date.now();
  const note = (line: string) => log.push(`+${((Date.now() - t0) / 1000).toFixed(1)}s ${line}`);
  const newDir = (label: string) => {
    const d = mkdtempSync(join(tmpdir(), `ledger-fault-rebuild-${label}-`));
    dirs.push(d);
    return d;
  };

  beforeAll(async () => {
    process.stderr.write(`[rebuild-kill] FAULT_SEED=${seed}\n`);
    await ensureBuilt([ENTRY.projector, ENTRY.cliMain]);
  }, 240_000);

  afterAll(async () => {
    process.stderr.write(`[rebuild-kill] ${log.join('\n[rebuild-kill] ')}\n`);
    await killAllChildren();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('the switched read model equals a fresh rebuild, document for document', async () => {
    const dataDir = newDir('killed');
    const seeded = await seedLedger(dataDir, {
      tasks: 2000,
      commandsPerTask: 8,
      tenants: TENANTS,
      seed,
      batch: 'a',
    });
    const head = Number(seeded.head);
    // The live projector runs throughout, as in production: the rebuild must hand over to it.
    const projector: Child = await spawnProjector(dataDir);
    await waitForLiveHead(dataDir, head, projector);
    const initialLive = liveTargets(dataDir);
    note(`seeded ${seeded.events} events; live targets ${JSON.stringify([...initialLive])}`);

    let kills = 0;
    const total = READ_MODELS.length * head;
    for (let attempt = 0; kills < KILLS && attempt < KILLS * 3; attempt++) {
      const liveAtStart = liveTargets(dataDir);
      const progress = () => rebuildProgress(dataDir, liveAtStart, head);
      // Every other run writes through the store on its own thread (`--store-thread`): its pipeline
      // must leave the same resumable shadows, and either kind of run resumes the other's.
      const threaded = attempt % 2 === 1 ? ['--store-thread'] : [];
      const child = spawnLedger(dataDir, ['projections', 'rebuild', '--all', ...threaded]);
      // Most kills are aimed at a point of the fold (anywhere in it, the switches included); every
      // third at a moment right after start (lease, shadow creation, resume bookkeeping).
      let aimed: string;
      if (attempt % 3 === 2) {
        const delay = Math.floor(random() * 300);
        aimed = `${delay} ms after start`;
        await Promise.race([sleep(delay), child.exited]);
      } else {
        // Beyond what a resumed shadow already holds, so the kill lands in this run's own work.
        const resumedAt = progress();
        // Capped: a shadow resumed complete leaves only the switch, and past the total nothing comes.
        const target = Math.min(total, resumedAt + 1 + Math.floor(random() * (total - resumedAt)));
        aimed = `progress ${target}/${total}`;
        const reached = () => (progress() >= target ? true : undefined);
        await waitWhileRunning(child, aimed, reached, 60_000, 2).catch(() => undefined);
        await sleep(Math.floor(random() * 20));
      }
      const exit = await child.kill9();
      const landed = exit.signal === 'SIGKILL';
      if (landed) kills++;
      note(
        `attempt ${attempt + 1}${threaded.length ? ' (--store-thread)' : ''} aimed at ${aimed}: ${landed ? 'killed' : `finished first (${JSON.stringify(exit)})`} ` +
          `at progress ${progress()}/${total}`,
      );
      if (!landed)
        expectExit({ ...exit, stdout: child.stdout(), output: child.output() }, 0, 'an unkilled rebuild');
    }
    expect(kills).toBeGreaterThanOrEqual(KILLS);

    // The rerun resumes (or finishes the switch) and leaves one live copy per read model.
    note('killed enough; rerunning');
    const rerun = await runLedger(dataDir, ['projections', 'rebuild', '--all', '--store-thread', '--json']);
    expectExit(rerun, 0, 'the rebuild rerun after the kills');
    await waitForLiveHead(dataDir, head, projector);
    const rows = projectionRows(dataDir);
    for (const p of READ_MODELS) {
      const r = rows.get(p)!;
      expect({ p, live: r.live === initialLive.get(p), shadow: r.shadow, status: r.status }).toEqual({
        p,
        live: false,
        shadow: undefined,
        status: 'live',
      });
    }
    // Old copies and killed shadows are dropped: only the live tables (and the operations board) remain.
    const liveTables = [...rows.values()].map((r) => `doc__${r.live}`).sort();
    expect(documentTables(dataDir).sort()).toEqual(liveTables);

    note('rerun done, projector caught up');
    // A fresh rebuild of a copy of the same event log, never interrupted.
    const freshDir = newDir('fresh');
    const source = new Database(join(dataDir, 'events.db'), { readonly: true });
    try {
      await source.backup(join(freshDir, 'events.db'));
    } finally {
      source.close();
    }
    expectExit(
      await runLedger(freshDir, ['projections', 'rebuild', '--all', '--json']),
      0,
      'the fresh rebuild',
    );

    note('fresh rebuild done');
    const killed = new ReadModelFile(dataDir);
    const fresh = new ReadModelFile(freshDir);
    const expected = await expectedReadModels(dataDir);
    try {
      for (const p of READ_MODELS) {
        const a = snapshotRows(killed, p);
        const b = snapshotRows(fresh, p);
        const asDocs = (m: typeof a) =>
          new Map([...m].map(([id, r]) => [id, { body: JSON.parse(r.body), position: r.position }]));
        expect({ p, ...compareDocuments(asDocs(b), asDocs(a)) }).toEqual({
          p,
          expected: b.size,
          actual: b.size,
          missing: 0,
          extra: 0,
          changed: 0,
          examples: { missing: [], extra: [], changed: [] },
        });
      }
      // And both equal the domain's own fold of the streams.
      expect(compareDocuments(expected.tasks, killed.documents('tasks')).changed).toBe(0);
      expect(killed.documents('tasks').size).toBe(expected.tasks.size);
      expect(killed.documents('task-history').size).toBe(expected.history.size);
      for (const t of TENANTS) {
        const { byStatus, total } = killed.documents('stats').get(t) as { byStatus: unknown; total: number };
        expect({ t, byStatus, total }).toEqual({ t, ...expected.stats.get(t) });
      }
    } finally {
      killed.close();
      fresh.close();
    }
    note('compared');
  }, 300_000);
});
