import { UnavailableError, ValidationError, WrongExpectedVersion } from '@ledger/platform/errors';
import type {
  AppendResult,
  EventFilter,
  EventStore,
  ExpectedRevision,
  NewEvent,
  Position,
  ReadAllOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from '../../core';
import { checkpointOnFirstWrite } from '@ledger/platform/sqlite/background-checkpoints';
import { mapSqliteError, openSqliteDatabase, parsePosition, type SqliteOptions } from './sqlite-database';
import { createEventQueries, type EventQueries, type Page } from './sqlite-event-queries';
import { SqliteLiveTail } from './sqlite-live-tail';
import { createSqliteSubscription } from './sqlite-subscription';

export interface SqliteEventStoreOptions extends SqliteOptions {
  /** Events per catch-up read of a subscription. */
  readonly pageSize?: number;
  /** How often the live tail looks for commits made by other processes (this process's wake it at once). */
  readonly pollMs?: number;
}

/** What an append wrote: its result, and its rows as a subscriber would read them back. */
interface Appended {
  readonly result: AppendResult;
  readonly recorded?: RecordedEvent[];
}

type AppendOutcome = Appended | { readonly conflict: bigint };

const expectedText = (expected: ExpectedRevision): string =>
  typeof expected === 'bigint' ? expected.toString() : expected;

const matches = (expected: ExpectedRevision, current: bigint): boolean =>
  expected === 'any' || (expected === 'no_stream' ? current === -1n : expected === current);

/** `JSON.stringify(undefined)` is undefined; store it as JSON null rather than break NOT NULL. */
const json = (value: unknown): string => JSON.stringify(value) ?? 'null';

const isDuplicateId = (e: unknown): boolean =>
  (e as { code?: unknown })?.code === 'SQLITE_CONSTRAINT_UNIQUE' && /events\.id/.test((e as Error).message);

/**
 * Event store in one SQLite file. Positions are row ids in decimal. better-sqlite3 is synchronous,
 * so each append's read-check-insert runs to completion before any other caller in this process
 * runs; BEGIN IMMEDIATE serialises it against other processes on the same file.
 * @example const store = createSqliteEventStore({ file: `${dataDir}/events.db` })
 */
export function createSqliteEventStore(options: SqliteEventStoreOptions): EventStore {
  const db = openSqliteDatabase(options);
  const checkpoints = checkpointOnFirstWrite(db, options.backgroundCheckpoints ?? false);
  const q: EventQueries = createEventQueries(db);
  const subscriptions = new Set<Subscription>();
  const pageSize = options.pageSize ?? 1000;
  const pollMs = options.pollMs ?? 10;
  let closed = false;

  const guard = <T>(what: string, fn: () => T): T => {
    if (closed) throw new UnavailableError('the SQLite event store is closed');
    try {
      return fn();
    } catch (e) {
      throw mapSqliteError(e, what);
    }
  };

  const readPage = (after: number, limit: number, filter: EventFilter | undefined): Page =>
    guard('cannot read events', () => q.readPage(after, limit, filter));
  const tail = new SqliteLiveTail({ readPage }, { pageSize, pollMs });

  const appendTx = db.transaction(
    (stream: string, events: readonly NewEvent[], expected: ExpectedRevision): AppendOutcome => {
      const max = q.maxRevision.get(stream) as number | null;
      const current = max === null ? -1n : BigInt(max);
      if (!matches(expected, current)) return { conflict: current };
      const now = Date.now();
      const first = max === null ? 0 : max + 1;
      // Only when some subscription of this process is at the live edge: it takes these rows
      // from here instead of reading them back (parsed from the stored text, as a read would).
      const recorded: RecordedEvent[] | undefined = tail.active ? [] : undefined;
      let position: number | bigint = 0;
      for (let i = 0; i < events.length; i++) {
        const e = events[i];
        const data = json(e.data);
        const metadata = json(e.metadata);
        position = q.insert.run(e.id, stream, first + i, e.type, data, metadata, now).lastInsertRowid;
        recorded?.push({
          id: e.id,
          streamName: stream,
          revision: BigInt(first + i),
          position: String(position),
          type: e.type,
          data: JSON.parse(data),
          metadata: JSON.parse(metadata),
          recordedAt: new Date(now),
        });
      }
      const result = { nextRevision: BigInt(first + events.length - 1), position: String(position) };
      return { result, recorded };
    },
  );

  /**
   * Runs only when an append failed: was it a retry of a batch already stored? Every id stored,
   * in this stream, at consecutive revisions in batch order -> the original result. Ids only
   * partly stored (or stored elsewhere) -> WrongExpectedVersion, the contract's documented answer.
   */
  const dedupeOrThrow = db.transaction(
    (stream: string, events: readonly NewEvent[], expected: ExpectedRevision): AppendResult => {
      const found = events.map(
        (e) => q.byId.get(e.id) as { stream: string; revision: number; position: number } | undefined,
      );
      const exact = found.every(
        (row, i) =>
          row !== undefined && row.stream === stream && row.revision === (found[0]?.revision ?? 0) + i,
      );
      if (exact) {
        const last = found[found.length - 1]!;
        return { nextRevision: BigInt(last.revision), position: String(last.position), deduplicated: true };
      }
      const max = q.maxRevision.get(stream) as number | null;
      const current = max === null ? -1n : BigInt(max);
      if (
        found.every((row) => row === undefined) &&
        new Set(events.map((e) => e.id)).size !== events.length
      ) {
        throw new ValidationError('an append repeats an event id within its own batch');
      }
      throw new WrongExpectedVersion(stream, expectedText(expected), current);
    },
  );

  const store: EventStore = {
    async append(stream, events, expected) {
      if (events.length === 0) throw new ValidationError('an append needs at least one event');
      const outcome = guard(`cannot append to ${stream}`, () => {
        try {
          return appendTx.immediate(stream, events, expected);
        } catch (e) {
          if (isDuplicateId(e)) return undefined;
          throw e;
        }
      });
      if (outcome !== undefined && !('conflict' in outcome)) {
        checkpoints.wrote();
        if (outcome.recorded) tail.committed(outcome.recorded);
        return outcome.result;
      }
      // A failed append wrote nothing (the transaction rolled back); decide what to report.
      return guard(`cannot append to ${stream}`, () => dedupeOrThrow(stream, events, expected));
    },

    async readStream(stream) {
      return guard(`cannot read ${stream}`, () => q.readStream(stream));
    },

    async readAll({ from, limit, filter }: ReadAllOptions): Promise<RecordedEvent[]> {
      const after = from === undefined ? 0 : parsePosition(from);
      if (!(limit >= 1)) return [];
      // Written into the SQL (limitClause): a limit past any log's length means no limit.
      return readPage(after, Math.min(Math.floor(limit), Number.MAX_SAFE_INTEGER), filter).events;
    },

    subscribeToAll(subscribe: SubscribeOptions = {}): Subscription {
      if (closed) throw new UnavailableError('the SQLite event store is closed');
      const sub = createSqliteSubscription({ readPage }, tail, {
        from: subscribe.from === undefined ? 0 : parsePosition(subscribe.from),
        filter: subscribe.filter,
        pageSize,
        onClose: () => subscriptions.delete(sub),
      });
      subscriptions.add(sub);
      return sub;
    },

    async headPosition() {
      const head = guard('cannot read the head position', () => q.head.get() as number | null);
      return head === null ? undefined : String(head);
    },

    comparePositions(a: Position, b: Position): number {
      parsePosition(a);
      parsePosition(b);
      const [x, y] = [BigInt(a), BigInt(b)];
      return x < y ? -1 : x > y ? 1 : 0;
    },

    positionKey(position: Position): string {
      parsePosition(position);
      return position.padStart(20, '0');
    },

    async close() {
      if (closed) return;
      await Promise.all([...subscriptions].map((s) => s.close()));
      tail.close();
      closed = true;
      await checkpoints.release();
      db.close();
    },
  };
  return store;
}
