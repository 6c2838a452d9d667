import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { UnavailableError } from '@ledger/platform/errors';
import { caught, events } from '../../testing/contract-helpers';
import { idempotencyStoreContract } from '../../testing/idempotency-store.contract';
import { createSqliteEventStore } from './sqlite-event-store';
import { createSqliteIdempotencyStore } from './sqlite-idempotency-store';

const dirs: string[] = [];
const tempFile = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-idem-'));
  dirs.push(dir);
  return join(dir, 'events.db');
};
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

idempotencyStoreContract({
  name: 'sqlite',
  make: async () => createSqliteIdempotencyStore({ file: tempFile() }),
});

describe('SQLite idempotency store', () => {
  it('shares the event store file: both open it, in either order, and keep their own data', async () => {
    const file = tempFile();
    const idem = createSqliteIdempotencyStore({ file });
    const store = createSqliteEventStore({ file });
    try {
      await store.append('task-1', events(1, 'E'), 'no_stream');
      expect(await idem.claim('default', 'k1', 'h', new Date(), 30_000)).toEqual({ claimed: true });
      expect(await store.readStream('task-1')).toHaveLength(1);
    } finally {
      await Promise.all([idem.close(), store.close()]);
    }
  });

  it('sees claims made through another connection (another process)', async () => {
    const file = tempFile();
    const [a, b] = [createSqliteIdempotencyStore({ file }), createSqliteIdempotencyStore({ file })];
    try {
      expect((await a.claim('default', 'k1', 'h-a', new Date(), 30_000)).claimed).toBe(true);
      const other = await b.claim('default', 'k1', 'h-b', new Date(), 30_000);
      expect(other).toMatchObject({ claimed: false, record: { requestHash: 'h-a' } });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('maps a write lock held by another connection to UnavailableError', async () => {
    const file = tempFile();
    const idem = createSqliteIdempotencyStore({ file, busyTimeoutMs: 50 });
    const other = new Database(file);
    other.exec('BEGIN IMMEDIATE');
    try {
      expect(await caught(idem.claim('default', 'k1', 'h', new Date(), 30_000))).toBeInstanceOf(
        UnavailableError,
      );
    } finally {
      other.exec('ROLLBACK');
      other.close();
      await idem.close();
    }
  });
});
