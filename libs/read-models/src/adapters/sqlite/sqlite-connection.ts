import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { UnavailableError } from '@ledger/platform/errors';

/**
 * WAL lets the query API read while the projector writes (also from another process);
 * synchronous=NORMAL is durable at every checkpointed commit in WAL mode, which is all a read
 * model needs: a lost tail is re-projected from the event store.
 * wal_autocheckpoint 10,000 pages (40 MB of WAL, the default is 1,000): each checkpoint copies
 * the pages changed since the last one into the file and fsyncs it; a rebuild dirties index
 * pages all over its table, and checkpointing every 4 MB wrote many of them again and again
 * (a 1M-event history rebuild ran about a third faster with fewer checkpoints here).
 */
export function openReadModelDatabase(
  file: string,
  options: { readonly readonly?: boolean } = {},
): Database.Database {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file, { readonly: options.readonly ?? false });
  db.pragma('busy_timeout = 5000');
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('wal_autocheckpoint = 10000');
  }
  return db;
}

const isBusy = (e: unknown): boolean =>
  typeof e === 'object' && e !== null && /^SQLITE_(BUSY|LOCKED)/.test(String((e as { code?: unknown }).code));

/** SQLITE_BUSY after the busy timeout means "another writer holds the file": transient. */
export function translateBusy<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (isBusy(e)) throw new UnavailableError('read-model database is busy', 1, e);
    throw e;
  }
}
