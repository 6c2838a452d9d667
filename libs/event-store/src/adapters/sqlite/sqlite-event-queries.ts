import type { Statement } from 'better-sqlite3';
import type { EventFilter, RecordedEvent } from '../../core';
import type { SqliteDatabase } from './sqlite-database';
import { cachedIn } from '@ledger/platform/sqlite/bounded-cache';
import { limitClause } from '@ledger/platform/sqlite/limit-clause';

/**
 * A row of COLUMNS as an array: better-sqlite3's `.raw()` skips building a named object per row,
 * which measured ~25% of reading 1M events (SQLite's own stepping included).
 */
type EventRow = readonly [
  position: number,
  id: string,
  stream: string,
  revision: number,
  type: string,
  data: string,
  metadata: string,
  recordedAt: number,
];

/** One page of the log and where the next read starts (a row id). */
export interface Page {
  readonly events: RecordedEvent[];
  readonly next: number;
}

export interface PageSource {
  /** Throws UnavailableError when the file cannot be read right now. */
  readPage(after: number, limit: number, filter: EventFilter | undefined): Page;
}

const COLUMNS = 'position, id, stream, revision, type, data, metadata, recorded_at';

const toRecorded = (row: EventRow): RecordedEvent => ({
  id: row[1],
  streamName: row[2],
  revision: BigInt(row[3]),
  position: String(row[0]),
  type: row[4],
  data: JSON.parse(row[5]),
  metadata: JSON.parse(row[6]),
  recordedAt: new Date(row[7]),
});

/** The position of a page's last row, or `after` when the page is empty. */
const lastPosition = (rows: readonly EventRow[], after: number): number =>
  rows.length > 0 ? rows[rows.length - 1][0] : after;

export interface EventQueries {
  /** Plucked: the stream's last revision, or null when the stream does not exist. */
  readonly maxRevision: Statement;
  readonly insert: Statement;
  readonly byId: Statement;
  /** Plucked: the highest position, or null for an empty log. */
  readonly head: Statement;
  readStream(stream: string): RecordedEvent[];
  readPage(after: number, limit: number, filter: EventFilter | undefined): Page;
}

export function createEventQueries(db: SqliteDatabase): EventQueries {
  const maxRevision = db.prepare('SELECT max(revision) FROM events WHERE stream = ?').pluck();
  const insert = db.prepare(
    'INSERT INTO events (id, stream, revision, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const byId = db.prepare('SELECT stream, revision, position FROM events WHERE id = ?');
  const head = db.prepare('SELECT max(position) FROM events').pluck();
  const streamStmt = db.prepare(`SELECT ${COLUMNS} FROM events WHERE stream = ? ORDER BY revision`).raw();

  // One prepared statement per filter shape (how many prefixes, how many types) and page size;
  // there are few (a reader keeps its batch size). The limit is written in, see limitClause.
  const pageStmts = new Map<string, Statement>();
  // Bounded (64) for a caller that varies its page size: older shapes are prepared again if asked.
  const pageStmt = (prefixes: number, types: number, limit: number): Statement =>
    cachedIn(
      pageStmts,
      `${prefixes}:${types}:${limit}`,
      () => {
        const where = ['position > ?'];
        // instr(...) = 1 is "starts with" without LIKE's wildcards and case folding.
        if (prefixes > 0) where.push(`(${Array(prefixes).fill('instr(stream, ?) = 1').join(' OR ')})`);
        if (types > 0) where.push(`type IN (${Array(types).fill('?').join(', ')})`);
        return db
          .prepare(
            `SELECT ${COLUMNS} FROM events WHERE ${where.join(' AND ')} ORDER BY position ${limitClause(limit)}`,
          )
          .raw();
      },
      64,
    );

  /**
   * With a filter, a short page also moves the cursor to the head of the same read snapshot, so
   * an idle filtered subscription does not rescan every non-matching row on each poll. That is
   * safe only because SQLite has one writer at a time and AUTOINCREMENT never hands out a row id
   * below one already used: every commit after this snapshot gets a higher position, so no event
   * can later appear below the cursor.
   */
  const filteredPage = db.transaction(
    (after: number, limit: number, prefixes: readonly string[], types: readonly string[]): Page => {
      const rows = pageStmt(prefixes.length, types.length, limit).all(
        after,
        ...prefixes,
        ...types,
      ) as EventRow[];
      const last = lastPosition(rows, after);
      const next = rows.length < limit ? Math.max(last, (head.get() as number | null) ?? 0) : last;
      return { events: rows.map(toRecorded), next };
    },
  );

  return {
    maxRevision,
    insert,
    byId,
    head,
    readStream: (stream) => (streamStmt.all(stream) as EventRow[]).map(toRecorded),
    readPage(after, limit, filter) {
      // An empty list constrains nothing, the same as leaving the field out.
      const prefixes = filter?.streamPrefixes ?? [];
      const types = filter?.eventTypes ?? [];
      if (prefixes.length > 0 || types.length > 0) return filteredPage(after, limit, prefixes, types);
      const rows = pageStmt(0, 0, limit).all(after) as EventRow[];
      return { events: rows.map(toRecorded), next: lastPosition(rows, after) };
    },
  };
}
