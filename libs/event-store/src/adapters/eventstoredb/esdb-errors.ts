import {
  AccessDeniedError,
  CancelledError,
  DeadlineExceededError,
  InvalidArgumentError,
  NotLeaderError,
  StreamDeletedError,
  StreamNotFoundError,
  TimeoutError,
  UnavailableError as EsdbUnavailableError,
  UnsupportedError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { UnavailableError, ValidationError, WrongExpectedVersion } from '@ledger/platform/errors';
import type { ExpectedRevision } from '../../core';
import { describeExpected, fromEsdbCurrentRevision } from './esdb-expected-revision';

// Raw gRPC status codes that can escape the client unconverted (its append sink rejects with
// the raw ServiceError). @grpc/grpc-js is only a transitive dependency, so no import of its enum.
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_ABORTED = 10;
const GRPC_UNAVAILABLE = 14;
const TRANSIENT_GRPC_CODES = new Set([GRPC_DEADLINE_EXCEEDED, GRPC_ABORTED, GRPC_UNAVAILABLE]);
const TRANSIENT_SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** The server (or the way to it) cannot serve now; the same request may succeed later. */
export function isTransientEsdbError(e: unknown): boolean {
  if (
    e instanceof EsdbUnavailableError ||
    e instanceof DeadlineExceededError ||
    e instanceof NotLeaderError ||
    e instanceof TimeoutError ||
    // The client itself reconnects on a server-side cancel (shutdown, leader change).
    e instanceof CancelledError
  ) {
    return true;
  }
  if (!(e instanceof Error)) return false;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'number') return TRANSIENT_GRPC_CODES.has(code);
  if (typeof code === 'string' && TRANSIENT_SOCKET_CODES.has(code)) return true;
  // Gossip discovery of a cluster gives up with a plain Error.
  return /^Failed to discover after \d+ attempts/.test(e.message);
}

/** Errors a subscription must surface rather than retry forever: retrying cannot fix them. */
export function isPermanentEsdbError(e: unknown): boolean {
  return (
    e instanceof AccessDeniedError ||
    e instanceof InvalidArgumentError ||
    e instanceof UnsupportedError ||
    e instanceof StreamDeletedError ||
    e instanceof ValidationError
  );
}

/** Missing, soft-deleted (both "not found") or tombstoned: in every case the stream has no events. */
export const isStreamNotFound = (e: unknown): boolean =>
  e instanceof StreamNotFoundError || e instanceof StreamDeletedError;

export const isEsdbWrongExpectedVersion = (e: unknown): e is WrongExpectedVersionError =>
  e instanceof WrongExpectedVersionError;

export interface AppendContext {
  readonly stream: string;
  readonly expected: ExpectedRevision;
}

/**
 * Translates a client error into the ledger's vocabulary: conflicts become WrongExpectedVersion
 * (HTTP 409 with the actual revision), outages UnavailableError (HTTP 503). Anything else is
 * returned unchanged so it is not disguised as something retryable.
 */
export function toLedgerError(e: unknown, append?: AppendContext): unknown {
  if (append && e instanceof WrongExpectedVersionError) {
    return new WrongExpectedVersion(
      append.stream,
      describeExpected(append.expected),
      fromEsdbCurrentRevision(e.actualVersion),
    );
  }
  if (isTransientEsdbError(e)) {
    const reason = e instanceof Error && e.message ? e.message : String(e);
    return new UnavailableError(`EventStoreDB is unavailable: ${reason}`, 1, e);
  }
  return e;
}

/** Runs a client call and rethrows its failure in the ledger's vocabulary. */
export async function esdbCall<T>(call: () => Promise<T>, append?: AppendContext): Promise<T> {
  try {
    return await call();
  } catch (e) {
    throw toLedgerError(e, append);
  }
}
