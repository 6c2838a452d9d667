import { UnavailableError } from '@ledger/platform/errors';
import type { ClaimResult, IdempotencyRecord, IdempotencyStore, StoredResponse } from '../../core';
import { checkpointOnFirstWrite } from '@ledger/platform/sqlite/background-checkpoints';
import { mapSqliteError, openSqliteDatabase, type SqliteOptions } from './sqlite-database';

interface KeyRow {
  readonly tenant_id: string;
  readonly key: string;
  readonly request_hash: string;
  readonly status: number | null;
  readonly body: string | null;
  readonly created_at: number;
}

const toRecord = (row: KeyRow): IdempotencyRecord => ({
  tenantId: row.tenant_id,
  key: row.key,
  requestHash: row.request_hash,
  ...(row.status === null ? {} : { response: { status: row.status, body: JSON.parse(row.body ?? 'null') } }),
  createdAt: new Date(row.created_at),
});

/**
 * Idempotency keys in the event store's own file (table `idempotency_keys`), on a connection of
 * its own so it can be opened and closed independently of the event store.
 * @example const idem = createSqliteIdempotencyStore({ file: `${dataDir}/events.db` })
 */
export function createSqliteIdempotencyStore(options: SqliteOptions): IdempotencyStore {
  const db = openSqliteDatabase(options);
  const checkpoints = checkpointOnFirstWrite(db, options.backgroundCheckpoints ?? false);
  // Inserts a pending claim, or takes over a pending one that went stale; never a completed one.
  const claimStmt = db.prepare(
    `INSERT INTO idempotency_keys (tenant_id, key, request_hash, status, body, created_at)
     VALUES (?, ?, ?, NULL, NULL, ?)
     ON CONFLICT (tenant_id, key) DO UPDATE
       SET request_hash = excluded.request_hash, created_at = excluded.created_at
       WHERE status IS NULL AND created_at < ?`,
  );
  const getStmt = db.prepare('SELECT * FROM idempotency_keys WHERE tenant_id = ? AND key = ?');
  const completeStmt = db.prepare(
    'UPDATE idempotency_keys SET status = ?, body = ? WHERE tenant_id = ? AND key = ?',
  );
  // A stored response is never given up: only a pending claim can be released.
  const releaseStmt = db.prepare(
    'DELETE FROM idempotency_keys WHERE tenant_id = ? AND key = ? AND status IS NULL',
  );
  const purgeStmt = db.prepare('DELETE FROM idempotency_keys WHERE created_at < ?');
  let closed = false;

  const guard = <T>(what: string, fn: () => T): T => {
    if (closed) throw new UnavailableError('the SQLite idempotency store is closed');
    try {
      return fn();
    } catch (e) {
      throw mapSqliteError(e, what);
    }
  };
  const write = <T>(what: string, fn: () => T): T => {
    const result = guard(what, fn);
    checkpoints.wrote();
    return result;
  };

  // IMMEDIATE: the upsert and the read of the winner's record see the same state, even when
  // another process claims the same key at the same moment.
  const claimTx = db.transaction(
    (tenantId: string, key: string, requestHash: string, now: number, staleAfterMs: number): ClaimResult => {
      if (claimStmt.run(tenantId, key, requestHash, now, now - staleAfterMs).changes === 1)
        return { claimed: true };
      return { claimed: false, record: toRecord(getStmt.get(tenantId, key) as KeyRow) };
    },
  );

  return {
    async claim(tenantId, key, requestHash, now, staleAfterMs) {
      return write('cannot claim an idempotency key', () =>
        claimTx.immediate(tenantId, key, requestHash, now.getTime(), staleAfterMs),
      );
    },

    async complete(tenantId, key, response: StoredResponse) {
      write('cannot store an idempotent response', () =>
        completeStmt.run(response.status, JSON.stringify(response.body) ?? 'null', tenantId, key),
      );
    },

    async release(tenantId, key) {
      write('cannot release an idempotency key', () => releaseStmt.run(tenantId, key));
    },

    async get(tenantId, key) {
      const row = guard(
        'cannot read an idempotency key',
        () => getStmt.get(tenantId, key) as KeyRow | undefined,
      );
      return row && toRecord(row);
    },

    async purgeOlderThan(cutoff) {
      return write('cannot purge idempotency keys', () => purgeStmt.run(cutoff.getTime()).changes);
    },

    async close() {
      if (closed) return;
      closed = true;
      await checkpoints.release();
      db.close();
    },
  };
}
