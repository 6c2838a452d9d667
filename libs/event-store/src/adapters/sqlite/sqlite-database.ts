import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { UnavailableError, ValidationError } from '@ledger/platform/errors';

export type SqliteDatabase = Database.Database;

export interface SqliteOptions {
  /** Path of the database file; its directory is created if missing. */
  readonly file: string;
  /** How long a writer waits for another connection's lock before giving up with a 503. */
  readonly busyTimeoutMs?: number;
  /** Open without write access (inspection tools); every write then fails as unavailable. */
  readonly readonly?: boolean;
  /** WAL checkpoints from a worker thread, started by the first write (see checkpointOnFirstWrite). */
  readonly backgroundCheckpoints?: boolean;
}

/**
 * Ordered migrations; `PRAGMA user_version` records how many have run. Append, never edit:
 * files written by an older build must upgrade in place.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS events (
     position    INTEGER PRIMARY KEY AUTOINCREMENT,
     id          TEXT    NOT NULL UNIQUE,
     stream      TEXT    NOT NULL,
     revision    INTEGER NOT NULL,
     type        TEXT    NOT NULL,
     data        TEXT    NOT NULL,
     metadata    TEXT    NOT NULL,
     recorded_at INTEGER NOT NULL,
     UNIQUE (stream, revision)
   );
   CREATE TABLE IF NOT EXISTS idempotency_keys (
     tenant_id    TEXT    NOT NULL,
     key          TEXT    NOT NULL,
     request_hash TEXT    NOT NULL,
     status       INTEGER,
     body         TEXT,
     created_at   INTEGER NOT NULL,
     PRIMARY KEY (tenant_id, key)
   ) WITHOUT ROWID;
   CREATE INDEX IF NOT EXISTS idempotency_keys_created_at ON idempotency_keys (created_at);`,
];

/**
 * SQLite result codes that mean "the file cannot serve right now" rather than "your request is
 * wrong": another process holds the lock, the disk is full or read-only, the file is gone.
 * A corrupt file (SQLITE_CORRUPT, SQLITE_NOTADB) is deliberately not among them: retrying cannot help.
 * They become UnavailableError, which the HTTP layer answers with 503 + Retry-After.
 */
const UNAVAILABLE_CODES = /^SQLITE_(BUSY|LOCKED|READONLY|IOERR|FULL|CANTOPEN|PROTOCOL)/;

const sqliteCode = (e: unknown): string | undefined => {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

export const isUnavailableSqliteError = (e: unknown): boolean => UNAVAILABLE_CODES.test(sqliteCode(e) ?? '');

/** Rethrows driver errors that mean "try again later" as UnavailableError; others unchanged. */
export const mapSqliteError = (e: unknown, what: string): unknown =>
  isUnavailableSqliteError(e)
    ? new UnavailableError(`${what}: ${sqliteCode(e)} (${(e as Error).message})`, 1, e)
    : e;

export const openSqliteDatabase = (options: SqliteOptions): SqliteDatabase => {
  try {
    if (!options.readonly) mkdirSync(dirname(options.file), { recursive: true });
    const db = new Database(options.file, {
      readonly: options.readonly ?? false,
      fileMustExist: options.readonly ?? false,
    });
    try {
      db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
      if (!options.readonly) {
        db.pragma('journal_mode = WAL');
        // WAL + NORMAL: a commit survives a process crash; only an OS crash may lose the last ones.
        db.pragma('synchronous = NORMAL');
        migrate(db);
      }
      return db;
    } catch (e) {
      db.close();
      throw e;
    }
  } catch (e) {
    throw mapSqliteError(e, `cannot open ${options.file}`);
  }
};

const migrate = (db: SqliteDatabase): void => {
  // IMMEDIATE takes the write lock first, so two processes opening a new file at once cannot both
  // decide to run the same migration.
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length) {
      throw new Error(
        `database schema version ${version} is newer than this build knows (${MIGRATIONS.length})`,
      );
    }
    for (let v = version; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v]);
    if (version !== MIGRATIONS.length) db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
};

const POSITION = /^[0-9]{1,19}$/;

/** Positions are row ids in decimal; anything else was not produced by this store. */
export const parsePosition = (position: string): number => {
  if (!POSITION.test(position)) throw new ValidationError(`not a position of this event store: ${position}`);
  return Number(position);
};
