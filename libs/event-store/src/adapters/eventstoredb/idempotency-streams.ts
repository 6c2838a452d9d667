import { createHash } from 'node:crypto';
import type { IdempotencyRecord, StoredResponse } from '../../core';

/**
 * Idempotency keys live as tiny streams in the events' own database, one per (tenant, key).
 * The name is a hash so no tenant or key text can break out of the prefix or hit a length limit.
 */
export const IDEMPOTENCY_STREAM_PREFIX = 'ledger-idempotency-';

/** Keys expire natively through the stream's `$maxAge`; callers keep at least 24 h. */
export const IDEMPOTENCY_MAX_AGE_SECONDS = 48 * 60 * 60;

export const idempotencyStreamName = (tenantId: string, key: string): string =>
  IDEMPOTENCY_STREAM_PREFIX + createHash('sha256').update(`${tenantId}\0${key}`).digest('hex');

interface ClaimData {
  readonly tenantId: string;
  readonly key: string;
  readonly requestHash: string;
  readonly claimedAt: string;
}

export type IdempotencyEvent =
  | { readonly type: 'IdempotencyClaimed'; readonly data: ClaimData }
  // Repeats the claim so the record survives even if the claim event alone has expired.
  | {
      readonly type: 'IdempotencyCompleted';
      readonly data: ClaimData & { readonly response: StoredResponse };
    }
  | {
      readonly type: 'IdempotencyReleased';
      readonly data: { readonly tenantId: string; readonly key: string };
    };

export const claimed = (tenantId: string, key: string, requestHash: string, now: Date): IdempotencyEvent => ({
  type: 'IdempotencyClaimed',
  data: { tenantId, key, requestHash, claimedAt: now.toISOString() },
});

export const completed = (record: IdempotencyRecord, response: StoredResponse): IdempotencyEvent => ({
  type: 'IdempotencyCompleted',
  data: {
    tenantId: record.tenantId,
    key: record.key,
    requestHash: record.requestHash,
    claimedAt: record.createdAt.toISOString(),
    response,
  },
});

export const released = (tenantId: string, key: string): IdempotencyEvent => ({
  type: 'IdempotencyReleased',
  data: { tenantId, key },
});

/**
 * The record the stream's events describe: the latest claim, with its response once completed;
 * undefined when there is none or it was released (a released key is free, as if deleted).
 * Events of unknown types are ignored so a newer writer cannot break an older reader.
 */
export function foldIdempotency(
  events: readonly { type: string; data: unknown }[],
): IdempotencyRecord | undefined {
  let record: IdempotencyRecord | undefined;
  for (const { type, data } of events) {
    const e = { type, data } as IdempotencyEvent;
    switch (e.type) {
      case 'IdempotencyClaimed':
        record = toRecord(e.data);
        break;
      case 'IdempotencyCompleted':
        record = { ...toRecord(e.data), response: e.data.response };
        break;
      case 'IdempotencyReleased':
        record = undefined;
        break;
      default:
        break;
    }
  }
  return record;
}

/** A claim whose request never finished within `staleAfterMs`: its owner is presumed dead. */
export const isStaleClaim = (record: IdempotencyRecord, now: Date, staleAfterMs: number): boolean =>
  record.response === undefined && now.getTime() - record.createdAt.getTime() > staleAfterMs;

const toRecord = (d: ClaimData): IdempotencyRecord => ({
  tenantId: d.tenantId,
  key: d.key,
  requestHash: d.requestHash,
  createdAt: new Date(d.claimedAt),
});
