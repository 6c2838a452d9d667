import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backgroundCheckpointFiles } from '@ledger/platform/sqlite/background-checkpoints';
import { projectionStoreContract } from '@ledger/projections/testing';
import { docTable, hasIdIndex, quote, targetOfTable } from './sqlite-document-tables';
import { createSqliteProjectionStore } from './sqlite-projection-store';

const dir = mkdtempSync(join(tmpdir(), 'ledger-rm-contract-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

projectionStoreContract({
  name: 'sqlite',
  make: async () => createSqliteProjectionStore({ file: join(dir, `rm-${n++}.db`) }),
});

describe('SqliteProjectionStore background checkpoints', () => {
  it('starts its worker with its first write, not for reading, and stops it on close', async () => {
    const file = join(dir, `rm-${n++}.db`);
    const store = createSqliteProjectionStore({ file, backgroundCheckpoints: true });
    try {
      await store.listStates();
      await store.getState('tasks');
      await store.listParked();
      expect(backgroundCheckpointFiles()).not.toContain(file);
      await store.registerProjection('tasks', 1);
      expect(backgroundCheckpointFiles()).toContain(file);
    } finally {
      await store.close();
    }
    expect(backgroundCheckpointFiles()).not.toContain(file);
  });
});

// SQLite-only: a shadow created with deferred indexes has no index on `id` at all while it fills.
describe('SqliteProjectionStore shadow filled without an id index', () => {
  const key = (n: number) => String(n).padStart(20, '0');
  const w = (id: string, at: number, n: number | null) => ({
    id,
    doc: n === null ? null : { id, tenantId: 't', n },
    position: String(at),
    positionKey: key(at),
  });
  const ck = (n: number) => ({ position: String(n), key: key(n) });

  it('keeps one row per id across commits and a restart, under the position guard, then indexes id', async () => {
    const file = join(dir, `rows-${n++}.db`);
    const first = createSqliteProjectionStore({ file });
    await first.registerProjection('counters', 1);
    const shadow = await first.createShadowTarget('counters', 2, { deferIndexes: true });
    expect(hasIdIndex(first.db, shadow.target)).toBe(false);
    await first.commitBatch(shadow.target, [w('a', 1, 1), w('b', 1, 1), w('c', 1, 1)], ck(1));
    await first.commitBatch(shadow.target, [w('a', 2, 2), w('b', 2, null), w('a', 1, 99)], ck(2));
    const count = (store: typeof first) =>
      store.db
        .prepare(`SELECT count(*) FROM ${quote(docTable(shadow.target))}`)
        .pluck()
        .get();
    expect(count(first)).toBe(2);
    const loaded = await first.loadDocuments<{ n: number }>(shadow.target, ['a', 'b', 'c']);
    expect([...loaded.values()].map((d) => [d.id, d.doc.n, d.position])).toEqual([
      ['a', 2, '2'],
      ['c', 1, '1'],
    ]);
    await first.close();

    // Another process resumes the shadow: it has no map of the rows, so it indexes id first.
    const second = createSqliteProjectionStore({ file });
    const result = await second.commitBatch(
      shadow.target,
      [w('a', 2, 77), w('c', 3, 3), w('d', 3, 4)],
      ck(3),
    );
    expect(result).toEqual({ applied: 2, skipped: 1 });
    expect(hasIdIndex(second.db, shadow.target)).toBe(true);
    expect(count(second)).toBe(3);
    await second.switchLive('counters', shadow.target);
    const docs = await second.scanDocuments<{ n: number }>(shadow.target, { limit: 10 });
    expect(docs.map((d) => [d.id, d.doc.n])).toEqual([
      ['a', 2],
      ['c', 3],
      ['d', 4],
    ]);
    const plan = second.db
      .prepare(`EXPLAIN QUERY PLAN SELECT body FROM ${quote(docTable(shadow.target))} WHERE id = ?`)
      .all('a') as { detail: string }[];
    expect(plan.map((p) => p.detail).join()).toMatch(/USING INDEX/);
    await second.close();
  });

  it('builds the id index in prepareSwitch when the same object filled it', async () => {
    const store = createSqliteProjectionStore({ file: join(dir, `rows-${n++}.db`) });
    await store.registerProjection('counters', 1);
    const shadow = await store.createShadowTarget('counters', 2, { deferIndexes: true });
    await store.commitBatch(shadow.target, [w('a', 1, 1)], ck(1));
    await store.prepareSwitch(shadow.target);
    expect(hasIdIndex(store.db, shadow.target)).toBe(true);
    // Now an ordinary upsert target: the guard refuses an older write, a newer one applies.
    expect(await store.commitBatch(shadow.target, [w('a', 1, 5)], ck(1))).toEqual({ applied: 0, skipped: 1 });
    expect(await store.commitBatch(shadow.target, [w('a', 2, 5)], ck(2))).toEqual({ applied: 1, skipped: 0 });
    await store.close();
  });
});

// SQLite-only: the switch forgets the old copy in its transaction and drops its tables after it.
describe('SqliteProjectionStore old copies and leftovers', () => {
  const ck = (n: number) => ({ position: String(n), key: String(n).padStart(20, '0') });
  const doc = (id: string, at: number, labels: string[]) => ({
    id,
    doc: { id, tenantId: 't', title: id, status: 'todo', labels },
    position: String(at),
    positionKey: ck(at).key,
  });
  /** Tables and indexes of the file, by the target they belong to. */
  const objectsOf = (store: ReturnType<typeof createSqliteProjectionStore>, target: string): string[] =>
    (
      store.db.prepare(`SELECT type, name, tbl_name FROM sqlite_master`).all() as {
        type: string;
        name: string;
        tbl_name: string;
      }[]
    )
      .filter((o) => targetOfTable(o.tbl_name) === target)
      .map((o) => `${o.type} ${o.name}`);

  it('leaves no table or index of the old copy after a switch', async () => {
    const store = createSqliteProjectionStore({ file: join(dir, `old-${n++}.db`) });
    try {
      const { liveTarget: old } = await store.registerProjection('tasks', 1);
      await store.commitBatch(old, [doc('a', 1, ['bug'])], ck(1));
      expect(objectsOf(store, old).filter((o) => o.startsWith('index')).length).toBeGreaterThan(3);
      expect(objectsOf(store, old)).toContain(`table arr__${old}__labels`);
      const shadow = await store.createShadowTarget('tasks', 2, { deferIndexes: true });
      await store.commitBatch(shadow.target, [doc('a', 1, ['bug'])], ck(1));
      await store.switchLive('tasks', shadow.target);
      expect(objectsOf(store, old)).toEqual([]);
      expect(objectsOf(store, shadow.target)).toContain(`table arr__${shadow.target}__labels`);
      expect(await store.dropOrphanTargets()).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('drops the tables an interrupted switch left, and nothing in use', async () => {
    const store = createSqliteProjectionStore({ file: join(dir, `left-${n++}.db`) });
    try {
      const { liveTarget: gone } = await store.registerProjection('tasks', 1);
      await store.commitBatch(gone, [doc('a', 1, ['bug'])], ck(1));
      const next = await store.createShadowTarget('tasks', 2);
      await store.commitBatch(next.target, [doc('a', 2, ['bug'])], ck(2));
      const { liveTarget: other } = await store.registerProjection('stats', 1);
      const otherShadow = await store.createShadowTarget('stats', 2);
      // What a crash between the switch's transaction and its drops leaves: tables, no row.
      store.db.transaction(() => {
        store.db
          .prepare(`UPDATE projections SET live_target = ?, shadow_target = NULL WHERE name = 'tasks'`)
          .run(next.target);
        store.db.prepare(`DELETE FROM targets WHERE target = ?`).run(gone);
      })();
      expect(objectsOf(store, gone).length).toBeGreaterThan(3);

      expect(await store.dropOrphanTargets()).toEqual([gone]);
      expect(objectsOf(store, gone)).toEqual([]);
      expect((await store.loadDocuments(next.target, ['a'])).get('a')?.position).toBe('2');
      for (const t of [next.target, other, otherShadow.target]) expect(objectsOf(store, t)).not.toEqual([]);
      expect(await store.dropOrphanTargets()).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
