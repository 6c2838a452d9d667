import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqlitePositionWatcher } from './sqlite-position-watcher';
import { createSqliteProjectionStore, type SqliteProjectionStore } from './sqlite-projection-store';
import { createSqliteTaskQueries, type SqliteTaskQueries } from './sqlite-task-queries';

const key = (p: string) => p.padStart(20, '0');
let dir: string;
let file: string;
let projector: SqliteProjectionStore;
let queries: SqliteTaskQueries;
let target: string;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ledger-watch-'));
  file = join(dir, 'read-models.db');
  projector = createSqliteProjectionStore({ file });
  target = (await projector.registerProjection('tasks', 1)).liveTarget;
  // The query side has its own connection, as a query API in another process would.
  queries = createSqliteTaskQueries({ file });
});
afterEach(async () => {
  await queries.close();
  await projector.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('createSqlitePositionWatcher', () => {
  it('wakes a waiter on the commit that reaches its position, without waiting for the fallback timer', async () => {
    const watcher = createSqlitePositionWatcher({ file, queries, positionKey: key, fallbackMs: 60_000 });
    const t0 = Date.now();
    const waiting = watcher.waitForPosition('12', 5_000, ['tasks']);
    await projector.commitBatch(target, [], { position: '11', key: key('11') });
    setTimeout(() => void projector.commitBatch(target, [], { position: '12', key: key('12') }), 50);
    await expect(waiting).resolves.toBe(true);
    expect(Date.now() - t0).toBeLessThan(2_000);
    watcher.close();
  });

  it('answers at once when the position is already reached, and false after the timeout', async () => {
    const watcher = createSqlitePositionWatcher({ file, queries, positionKey: key });
    await projector.commitBatch(target, [], { position: '5', key: key('5') });
    await expect(watcher.waitForPosition('5', 10, ['tasks'])).resolves.toBe(true);
    const t0 = Date.now();
    await expect(watcher.waitForPosition('6', 100, ['tasks'])).resolves.toBe(false);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(90);
    watcher.close();
  });
});
