import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  START,
  isCommandError,
  type Direction,
  type ReadPosition,
} from '@eventstore/db-client';
import { UnavailableError, ValidationError } from '@ledger/platform/errors';
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
import type { BackoffOptions } from './esdb-backoff';
import { findStoredRun, isStoredAppend } from './esdb-dedupe';
import {
  esdbCall,
  isPermanentEsdbError,
  isStreamNotFound,
  isTransientEsdbError,
  toLedgerError,
} from './esdb-errors';
import { toEventData, toRecordedEvent } from './esdb-event-mapping';
import { firstRevisionOf, toEsdbExpectedRevision } from './esdb-expected-revision';
import { isHiddenEvent, matchesFilter, toSubscriptionFilter } from './esdb-filter';
import { comparePositions, decodePosition, encodePosition, positionKey } from './esdb-position';
import { ResumingSubscription, type SubscriptionSource } from './resuming-subscription';

export interface EventStoreDbEventStoreOptions {
  /** e.g. `esdb://localhost:2113?tls=false`; reading `$all` needs a user allowed to (admin in secure mode). */
  readonly connectionString: string;
  readonly resubscribeBackoff?: BackoffOptions;
}

// Raw events per $all page. readAll filters on the client (this client version has no server-side
// filter for reads), so a page is larger than the caller's limit to get through runs of others.
const MIN_PAGE = 64;
const MAX_PAGE = 1_000;
const HEAD_PAGE = 100;

/**
 * The EventStore port on EventStoreDB. Notes on what the server does not give directly:
 * - Dedupe: the server drops a retried batch (same ids) but answers as for a fresh write, so
 *   `append` first reads the revisions the batch would occupy and, if they hold its ids, returns
 *   the stored result with `deduplicated: true`. One extra read per append; an 'any' append reads
 *   the whole stream. Two identical appends racing each other both see nothing stored: the server
 *   still writes once, but the loser gets `deduplicated` undefined instead of true.
 * - Positions are `<commit>/<prepare>`; system events and the ledger's idempotency streams are
 *   hidden from readAll, headPosition and subscriptions (see esdb-filter.ts).
 */
export function createEventStoreDbEventStore(options: EventStoreDbEventStoreOptions): EventStore {
  const client = EventStoreDBClient.connectionString(options.connectionString);
  const subscriptions = new Set<ResumingSubscription>();
  let closed = false;

  const ensureOpen = (): void => {
    if (closed) throw new UnavailableError('the EventStoreDB event store is closed');
  };

  /** Events of a stream from a revision; [] when the stream does not exist (or was deleted). */
  const readStreamFrom = (
    stream: string,
    fromRevision: bigint,
    maxCount?: number,
  ): Promise<RecordedEvent[]> =>
    esdbCall(async () => {
      const out: RecordedEvent[] = [];
      try {
        for await (const resolved of client.readStream(stream, {
          fromRevision,
          maxCount,
          direction: FORWARDS,
        })) {
          const event = toRecordedEvent(resolved);
          if (event) out.push(event);
        }
      } catch (e) {
        if (isStreamNotFound(e)) return [];
        throw e;
      }
      return out;
    });

  /** One raw page of $all (hidden events included) and whether the log may go on after it. */
  const readAllPage = (from: ReadPosition, maxCount: number, direction: Direction) =>
    esdbCall(async () => {
      const events: RecordedEvent[] = [];
      let raw = 0;
      for await (const resolved of client.readAll({ fromPosition: from, maxCount, direction })) {
        raw++;
        const event = toRecordedEvent(resolved);
        if (event) events.push(event);
      }
      return { events, more: raw === maxCount };
    });

  /** The stored result of an earlier append of this very batch, if there was one. */
  const storedAppend = async (
    stream: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
  ): Promise<RecordedEvent | undefined> => {
    const first = firstRevisionOf(expected);
    if (first === undefined) {
      const whole = await readStreamFrom(stream, 0n);
      const last = findStoredRun(whole, events);
      return last === undefined ? undefined : whole[last];
    }
    const stored = await readStreamFrom(stream, first, events.length);
    return isStoredAppend(stored, events, first) ? stored[events.length - 1] : undefined;
  };

  const positionOfRevision = async (stream: string, revision: bigint): Promise<Position | undefined> =>
    (await readStreamFrom(stream, revision, 1))[0]?.position;

  const openSource = (from: Position | undefined, filter: EventFilter | undefined): SubscriptionSource => {
    const sub = client.subscribeToAll({
      fromPosition: from === undefined ? START : decodePosition(from),
      filter: toSubscriptionFilter(filter),
    });
    // The iterator below surfaces errors; this listener only keeps an error that arrives after
    // stop() (the client re-emits gRPC errors on the stream) from crashing the process.
    sub.on('error', () => undefined);
    async function* recorded(): AsyncGenerator<RecordedEvent> {
      for await (const resolved of sub) {
        const event = toRecordedEvent(resolved);
        if (event) yield event;
      }
    }
    const events = recorded();
    return {
      events,
      stop: async () => {
        // Cancelling the gRPC call does not end the piped stream, so destroy it to end iteration.
        // Neither waits: cancel needs the call to exist, which may never happen while disconnected.
        sub.destroy();
        void sub.unsubscribe().catch(() => undefined);
        void events.return(undefined).catch(() => undefined);
      },
    };
  };

  return {
    async append(stream, events, expected): Promise<AppendResult> {
      ensureOpen();
      if (events.length === 0) throw new ValidationError('an append needs at least one event');
      if (new Set(events.map((e) => e.id)).size !== events.length) {
        throw new ValidationError('an append repeats an event id within its own batch');
      }
      const expectedRevision = toEsdbExpectedRevision(expected);
      const stored = await storedAppend(stream, events, expected);
      if (stored) return { nextRevision: stored.revision, position: stored.position, deduplicated: true };

      const result = await esdbCall(
        () => client.appendToStream(stream, events.map(toEventData), { expectedRevision }),
        { stream, expected },
      );
      const nextRevision = result.nextExpectedRevision;
      // For one event the answered log position is that event's $all position. For a batch, which
      // log position the server answers could not be checked without a server, so the last event
      // is read back: one more read, only for batches, and the position is exactly the event's.
      const position =
        events.length === 1 && result.position
          ? encodePosition(result.position)
          : ((await positionOfRevision(stream, nextRevision)) ??
            (result.position ? encodePosition(result.position) : undefined));
      if (position === undefined) {
        throw new Error(`EventStoreDB gave no position for the append to ${stream} at ${nextRevision}`);
      }
      return { nextRevision, position };
    },

    async readStream(stream) {
      ensureOpen();
      return readStreamFrom(stream, 0n);
    },

    async readAll({ from, limit, filter }: ReadAllOptions) {
      ensureOpen();
      let after = from === undefined ? undefined : positionKey(from);
      if (limit <= 0) return [];
      const pageSize = Math.min(Math.max(limit + 1, MIN_PAGE), MAX_PAGE);
      const out: RecordedEvent[] = [];
      for (;;) {
        // ESDB reads from a position inclusively; the port's `from` is exclusive, hence the skip.
        const page = await readAllPage(
          after === undefined ? START : decodePosition(after),
          pageSize,
          FORWARDS,
        );
        let progressed = false;
        for (const event of page.events) {
          if (after !== undefined && comparePositions(event.position, after) <= 0) continue;
          after = event.position;
          progressed = true;
          if (!matchesFilter(filter, event.streamName, event.type)) continue;
          out.push(event);
          if (out.length === limit) return out;
        }
        if (!page.more) return out;
        if (!progressed) throw new Error(`readAll made no progress after ${after}`);
      }
    },

    subscribeToAll(subscribeOptions: SubscribeOptions = {}): Subscription {
      ensureOpen();
      const { from, filter } = subscribeOptions;
      if (from !== undefined) decodePosition(from); // a bad position fails now, not on first next()
      const sub = new ResumingSubscription({
        from,
        open: (after) => openSource(after, filter),
        accept: (event) => matchesFilter(filter, event.streamName, event.type),
        compare: comparePositions,
        isRetryable,
        mapError: (e) => toLedgerError(e),
        backoff: options.resubscribeBackoff,
        onClose: () => subscriptions.delete(sub),
      });
      subscriptions.add(sub);
      return sub;
    },

    async headPosition() {
      ensureOpen();
      let before: Position | undefined;
      for (;;) {
        const page = await readAllPage(
          before === undefined ? END : decodePosition(before),
          HEAD_PAGE,
          BACKWARDS,
        );
        let progressed = false;
        for (const event of page.events) {
          if (before !== undefined && comparePositions(event.position, before) >= 0) continue;
          if (!isHiddenEvent(event.streamName, event.type)) return event.position;
          before = event.position;
          progressed = true;
        }
        if (!page.more) return undefined;
        if (!progressed) throw new Error(`headPosition made no progress before ${before}`);
      }
    },

    comparePositions,
    positionKey,

    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...subscriptions].map((s) => s.close()));
      await client.dispose();
    },
  };
}

/**
 * A subscription retries whatever the client reports as a failure of the call or connection
 * (including a stream closed under it), but not access or argument errors, nor our own bugs.
 */
function isRetryable(e: unknown): boolean {
  if (isPermanentEsdbError(e)) return false;
  if (isTransientEsdbError(e)) return true;
  if (e instanceof Error && isCommandError(e)) return true;
  return (e as { code?: unknown } | undefined)?.code === 'ERR_STREAM_PREMATURE_CLOSE';
}
