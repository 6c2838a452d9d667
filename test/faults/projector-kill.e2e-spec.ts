import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteTaskQueries } from '@ledger/read-models/adapters/sqlite';
import { ensureBuilt, ENTRY } from '../support/build-dist';
import {
  faultSeed,
  killAllChildren,
  seededRandom,
  sleep,
  waitWhileRunning,
  type Child,
} from '../support/child-process';
import { liveProgress, spawnProjector, waitForLiveHead } from '../support/fault-fixture';
import { compareDocuments, expectedReadModels, tryOpenReadModels } from '../support/read-model-oracle';
import { seedLedger } from '../support/seed-ledger';

const TENANTS = ['t1', 't2', 't3'];

describe('projector killed with SIGKILL mid-batch', () => {
  const seed = faultSeed();
  const random = seededRandom(seed);
  let dataDir: string;
  const log: string[] = [];

  beforeAll(async () => {
    process.stderr.write(`[projector-kill] FAULT_SEED=${seed}\n`);
    await ensureBuilt([ENTRY.projector]);
    dataDir = mkdtempSync(join(tmpdir(), 'ledger-fault-projector-'));
  }, 240_000);

  afterAll(async () => {
    await killAllChildren();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const startProjector = () => spawnProjector(dataDir);
  const progress = () => liveProgress(dataDir);

  /** Kills the projector at a random point of its catch-up (a random checkpoint, then a random delay). */
  const killMidBatch = async (child: Child, head: number, label: string) => {
    const startedAt = progress();
    // An earlier kill may have landed after the catch-up finished: then there is no batch left
    // to interrupt, and aiming past the head would wait for a position that never comes.
    const target = Math.min(head, startedAt + 1 + Math.floor(random() * 0.8 * (head - startedAt)));
    const reached = () => (progress() >= target ? true : undefined);
    await waitWhileRunning(child, `the projector to pass position ${target}`, reached, 30_000, 2);
    await sleep(Math.floor(random() * 50));
    const before = progress();
    const exit = await child.kill9();
    log.push(
      `${label}: aimed at ${target}, killed at min checkpoint ${before} of head ${head} (${JSON.stringify(exit)})`,
    );
    expect(exit.signal).toBe('SIGKILL');
    return before;
  };

  it('loses and doubles nothing: every document and every count equals a fold of the streams', async () => {
    const first = await seedLedger(dataDir, {
      tasks: 2500,
      commandsPerTask: 10,
      tenants: TENANTS,
      seed,
      batch: 'a',
    });
    let head = Number(first.head);
    log.push(`seeded ${first.events} events, head ${head}`);

    // Catch-up from an empty read model, killed three times part way.
    const stoppedAt: number[] = [];
    for (let i = 0; i < 3; i++) {
      stoppedAt.push(await killMidBatch(await startProjector(), head, `catch-up kill ${i + 1}`));
    }

    // Live appends while the projector follows, killed again; then more appends while it is down.
    const projector = await startProjector();
    await waitForLiveHead(dataDir, head, projector);
    const appending = seedLedger(dataDir, {
      tasks: 1000,
      commandsPerTask: 10,
      tenants: TENANTS,
      seed: seed + 1,
      batch: 'b',
    });
    await sleep(50 + Math.floor(random() * 300));
    await projector.kill9();
    log.push(`live kill at min checkpoint ${progress()}`);
    const second = await appending;
    head = Number(second.head);
    log.push(`second seed: ${second.events} events, head ${head}`);

    const last = await startProjector();
    await waitForLiveHead(dataDir, head, last);
    await last.kill9();
    process.stderr.write(`[projector-kill] ${log.join('\n[projector-kill] ')}\n`);

    // At least one kill landed mid catch-up, else this run proved nothing about batches.
    expect(stoppedAt.some((cp) => cp > 0 && cp < Number(first.head))).toBe(true);

    const expected = await expectedReadModels(dataDir);
    expect(expected.events).toBe(first.events + second.events);
    const file = tryOpenReadModels(dataDir)!;
    try {
      for (const [projection, want] of [
        ['tasks', expected.tasks],
        ['task-history', expected.history],
      ] as const) {
        const got = file.documents(projection);
        const diff = compareDocuments(want, got);
        expect({ projection, ...diff }).toEqual({
          projection,
          expected: want.size,
          actual: want.size,
          missing: 0,
          extra: 0,
          changed: 0,
          examples: { missing: [], extra: [], changed: [] },
        });
      }
      const stats = file.documents('stats');
      for (const tenant of TENANTS) {
        expect({ tenant, ...stats.get(tenant) }).toEqual({
          tenant,
          id: tenant,
          tenantId: tenant,
          ...expected.stats.get(tenant),
        });
      }
      expect(file.documents('stats').size).toBe(TENANTS.length);
    } finally {
      file.close();
    }

    // And through the query adapter the query API uses.
    const queries = createSqliteTaskQueries({ file: join(dataDir, 'read-models.db') });
    try {
      for (const tenant of TENANTS) expect(await queries.stats(tenant)).toEqual(expected.stats.get(tenant));
    } finally {
      await queries.close();
    }
  }, 240_000);
});
