import { EventStoreDBClient, NO_STREAM, jsonEvent, type JSONType } from '@eventstore/db-client';
import { UnavailableError } from '@ledger/platform/errors';
import type { ClaimResult, IdempotencyRecord, IdempotencyStore, StoredResponse } from '../../core';
import { isEsdbWrongExpectedVersion, isStreamNotFound, toLedgerError } from './esdb-errors';
import { fromEsdbCurrentRevision } from './esdb-expected-revision';
import {
  IDEMPOTENCY_MAX_AGE_SECONDS,
  claimed,
  completed,
  foldIdempotency,
  idempotencyStreamName,
  isStaleClaim,
  released,
  type IdempotencyEvent,
} from './idempotency-streams';

export interface EventStoreDbIdempotencyStoreOptions {
  readonly connectionString: string;
  /** How long a key's events live (the stream's `$maxAge`); callers need at least 24 h. */
  readonly maxAgeSeconds?: number;
}

// Each step is one optimistic write; only a racing writer on the same key makes it retry.
const MAX_ATTEMPTS = 5;

interface KeyStream {
  readonly record: IdempotencyRecord | undefined;
  /** Revision of the stream's last event, -1 when it has none. */
  readonly revision: bigint;
}

/**
 * The IdempotencyStore on EventStoreDB: one stream per (tenant, key) whose events are the key's
 * history (claimed, completed, released), guarded by expected revisions instead of transactions.
 * Keys expire natively through `$maxAge` on each stream, so `purgeOlderThan` deletes nothing
 * and returns 0: expiry is by the server's write time, not by the record's `createdAt`.
 */
export function createEventStoreDbIdempotencyStore(
  options: EventStoreDbIdempotencyStoreOptions,
): IdempotencyStore {
  const client = EventStoreDBClient.connectionString(options.connectionString);
  const maxAge = options.maxAgeSeconds ?? IDEMPOTENCY_MAX_AGE_SECONDS;
  let closed = false;

  const guard = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    if (closed) throw new UnavailableError('the EventStoreDB idempotency store is closed');
    try {
      return await fn();
    } catch (e) {
      const mapped = toLedgerError(e);
      if (mapped instanceof UnavailableError) throw new UnavailableError(`${what}: ${mapped.message}`, 1, e);
      throw mapped;
    }
  };

  /** `knownRevision`: a revision the server reported, for a stream whose events all expired. */
  const load = async (stream: string, knownRevision = -1n): Promise<KeyStream> => {
    const events: { type: string; data: unknown }[] = [];
    let revision = knownRevision;
    try {
      for await (const { event } of client.readStream(stream)) {
        if (!event) continue;
        events.push({ type: event.type, data: event.data });
        if (event.revision > revision) revision = event.revision;
      }
    } catch (e) {
      if (!isStreamNotFound(e)) throw e;
    }
    return { record: foldIdempotency(events), revision };
  };

  const write = (stream: string, event: IdempotencyEvent, after: bigint) =>
    client.appendToStream(stream, jsonEvent({ type: event.type, data: event.data as unknown as JSONType }), {
      expectedRevision: after < 0n ? NO_STREAM : after,
    });

  /** Sets `$maxAge` once per key: only the first writer of the metadata stream succeeds. */
  const ensureMaxAge = async (stream: string): Promise<void> => {
    try {
      await client.setStreamMetadata(stream, { maxAge }, { expectedRevision: NO_STREAM });
    } catch (e) {
      if (!isEsdbWrongExpectedVersion(e)) throw e;
    }
  };

  /** Reads the key and appends what `next` decides, retrying when another writer got there first. */
  const update = async (
    stream: string,
    next: (state: KeyStream) => IdempotencyEvent | undefined,
  ): Promise<void> => {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const state = await load(stream);
      const event = next(state);
      if (!event) return;
      try {
        await write(stream, event, state.revision);
        return;
      } catch (e) {
        if (!isEsdbWrongExpectedVersion(e)) throw e;
      }
    }
    throw new UnavailableError(`idempotency stream ${stream} kept changing under the update`, 1);
  };

  return {
    claim(tenantId, key, requestHash, now, staleAfterMs): Promise<ClaimResult> {
      return guard('cannot claim an idempotency key', async () => {
        const stream = idempotencyStreamName(tenantId, key);
        await ensureMaxAge(stream);
        let after = -1n; // first try: the key has never been used
        for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
          try {
            await write(stream, claimed(tenantId, key, requestHash, now), after);
            return { claimed: true };
          } catch (e) {
            if (!isEsdbWrongExpectedVersion(e)) throw e;
            const state = await load(stream, fromEsdbCurrentRevision(e.actualVersion));
            if (state.record && !isStaleClaim(state.record, now, staleAfterMs)) {
              return { claimed: false, record: state.record };
            }
            // Free (released or expired) or stale: take it over at the revision just read.
            after = state.revision;
          }
        }
        throw new UnavailableError(`idempotency key ${key} kept changing under the claim`, 1);
      });
    },

    complete(tenantId, key, response: StoredResponse) {
      const stream = idempotencyStreamName(tenantId, key);
      // Like an UPDATE: stores the response on the current record, nothing when there is none.
      return guard('cannot store an idempotent response', () =>
        update(stream, ({ record }) => record && completed(record, response)),
      );
    },

    release(tenantId, key) {
      const stream = idempotencyStreamName(tenantId, key);
      // Only a pending claim is given up; a completed record keeps answering retries.
      return guard('cannot release an idempotency key', () =>
        update(stream, ({ record }) =>
          record && record.response === undefined ? released(tenantId, key) : undefined,
        ),
      );
    },

    get(tenantId, key) {
      return guard(
        'cannot read an idempotency key',
        async () => (await load(idempotencyStreamName(tenantId, key))).record,
      );
    },

    async purgeOlderThan() {
      // Expiry is native ($maxAge on every key stream); enumerating keys would mean scanning $all.
      return 0;
    },

    async close() {
      if (closed) return;
      closed = true;
      await client.dispose();
    },
  };
}
