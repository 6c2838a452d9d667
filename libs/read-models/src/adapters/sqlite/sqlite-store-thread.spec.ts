import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StaleTargetError } from '@ledger/projections/core';
import { ck, projectionStoreContract, write } from '@ledger/projections/testing';
import { createThreadedSqliteProjectionStore } from './sqlite-store-thread';

const dir = mkdtempSync(join(tmpdir(), 'ledger-rm-thread-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

projectionStoreContract({
  name: 'sqlite on a worker thread',
  make: async () => createThreadedSqliteProjectionStore({ file: join(dir, `rm-${n++}.db`) }),
});

describe('createThreadedSqliteProjectionStore', () => {
  it('answers with the error classes the engine branches on', async () => {
    const file = join(dir, `rm-${n++}.db`);
    const store = createThreadedSqliteProjectionStore({ file });
    try {
      const stale = await store.loadDocuments('no_such_target', ['a']).catch((e: unknown) => e);
      expect(stale).toBeInstanceOf(StaleTargetError);
      expect((stale as StaleTargetError).target).toBe('no_such_target');
      const state = await store.registerProjection('tasks', 1);
      const refused = await store.dropTarget(state.liveTarget).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(Error);
      expect((refused as Error).message).toContain('it is a live target');
    } finally {
      await store.close();
    }
  });

  it('rejects a call whose arguments cannot cross the thread, and goes on', async () => {
    const store = createThreadedSqliteProjectionStore({ file: join(dir, `rm-${n++}.db`) });
    try {
      const bad = store.registerProjection((() => 'x') as unknown as string, 1);
      await expect(bad).rejects.toThrow(/could not be cloned/);
      expect((await store.registerProjection('tasks', 1)).version).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('sees its own commits in order: a load sent right after a commit, unawaited, reads it', async () => {
    const store = createThreadedSqliteProjectionStore({ file: join(dir, `rm-${n++}.db`) });
    try {
      await store.registerProjection('notes', 1);
      const shadow = await store.createShadowTarget('notes', 2, { deferIndexes: true });
      const commits = [1, 2, 3].map((i) =>
        store.commitBatch(shadow.target, [write('t1', i, { tenantId: 'acme', n: i })], ck(i)),
      );
      const loaded = store.loadDocuments<{ n: number }>(shadow.target, ['t1']);
      await Promise.all(commits);
      expect((await loaded).get('t1')?.doc.n).toBe(3);
    } finally {
      await store.close();
    }
  });

  it('fails every call after close', async () => {
    const store = createThreadedSqliteProjectionStore({ file: join(dir, `rm-${n++}.db`) });
    await store.listStates();
    await store.close();
    await expect(store.listStates()).rejects.toThrow('closed');
    await store.close(); // twice is harmless
  });

  it('reports why the database could not be opened, on every call', async () => {
    // A directory where the file should be: SQLite cannot open it.
    const store = createThreadedSqliteProjectionStore({ file: dir });
    try {
      const first = await store.listStates().catch((e: unknown) => e);
      expect(first).toBeInstanceOf(Error);
      expect((first as { code?: string }).code).toMatch(/^SQLITE_/);
      await expect(store.getState('tasks')).rejects.toThrow((first as Error).message);
    } finally {
      await store.close().catch(() => undefined);
    }
  });
});
