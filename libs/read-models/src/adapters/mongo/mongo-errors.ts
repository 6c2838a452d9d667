import {
  MongoBulkWriteError,
  MongoError,
  MongoErrorLabel,
  MongoNetworkError,
  MongoOperationTimeoutError,
  MongoServerSelectionError,
  MongoStalePrimaryError,
} from 'mongodb';
import { UnavailableError } from '@ledger/platform/errors';

/** E11000: what an upsert raises when its guard refused an existing, newer document. */
export const DUPLICATE_KEY = 11000;
const NAMESPACE_NOT_FOUND = 26;
const NAMESPACE_EXISTS = 48;
const QUERY_PLAN_KILLED = 175;

/**
 * Server codes meaning "this node cannot serve now, another (or the same, later) will": the
 * driver's retryable set (not primary, stepping down, shutting down, network) plus a majority
 * write concern that timed out and query time limits. A write that hit one of these may or may
 * not have applied; the position guards make replaying it harmless.
 */
const TRANSIENT_CODES = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  50, // MaxTimeMSExpired
  64, // WriteConcernFailed / WriteConcernTimeout: majority not reached in time
  89, // NetworkTimeout
  91, // ShutdownInProgress
  133, // FailedToSatisfyReadPreference
  134, // ReadConcernMajorityNotAvailableYet
  189, // PrimarySteppedDown
  262, // ExceededTimeLimit
  9001, // SocketException
  10058, // LegacyNotPrimary
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);

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
const TRANSIENT_MESSAGES = /not master|not primary|node is recovering/i;

const codeOf = (e: unknown): unknown =>
  typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;

/** The server (or the way to it) cannot serve now; the same call may succeed later. */
export function isTransientMongoError(e: unknown, depth = 0): boolean {
  if (depth > 3 || !(e instanceof Error)) return false;
  if (e instanceof MongoBulkWriteError && e.result) {
    // Duplicate keys are guard refusals, not failures. What else the server reported (per-write
    // errors, a write concern failure) is transient only if all of it is.
    const codes = e.result
      .getWriteErrors()
      .map((w) => w.code)
      .filter((c) => c !== DUPLICATE_KEY);
    const concern = e.result.getWriteConcernError();
    if (concern) codes.push(concern.code ?? 0);
    if (codes.length) return codes.every((c) => TRANSIENT_CODES.has(c));
    // A driver or network failure inside a bulk write arrives wrapped; its original is the response.
    if (e.errorResponse instanceof Error) return isTransientMongoError(e.errorResponse, depth + 1);
  }
  if (
    e instanceof MongoNetworkError ||
    e instanceof MongoServerSelectionError ||
    e instanceof MongoOperationTimeoutError ||
    e instanceof MongoStalePrimaryError
  ) {
    return true;
  }
  if (e instanceof MongoError && e.hasErrorLabel(MongoErrorLabel.RetryableWriteError)) return true;
  const code = codeOf(e);
  if (typeof code === 'number' && TRANSIENT_CODES.has(code)) return true;
  if (typeof code === 'string' && TRANSIENT_SOCKET_CODES.has(code)) return true;
  if (TRANSIENT_MESSAGES.test(e.message)) return true;
  return e.cause !== undefined && isTransientMongoError(e.cause, depth + 1);
}

/**
 * Outages become UnavailableError, which the engine retries with backoff and the API answers
 * with 503 + Retry-After. Anything else is returned unchanged, so a bug is not disguised as
 * something worth retrying.
 */
export function toLedgerError(e: unknown): unknown {
  if (e instanceof UnavailableError || !isTransientMongoError(e)) return e;
  const reason = e instanceof Error && e.message ? e.message : String(e);
  return new UnavailableError(`MongoDB is unavailable: ${reason}`, 1, e);
}

/** Runs driver calls and rethrows their failure in the ledger's vocabulary. */
export async function mongoCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    throw toLedgerError(e);
  }
}

export const isDuplicateKeyError = (e: unknown): boolean => codeOf(e) === DUPLICATE_KEY;

/** Servers before 7.0 refuse to drop a collection that does not exist; either way it is gone. */
export const isNamespaceNotFound = (e: unknown): boolean => codeOf(e) === NAMESPACE_NOT_FOUND;

/** createCollection of a collection that exists (a retried shadow creation). */
export const isNamespaceExists = (e: unknown): boolean => codeOf(e) === NAMESPACE_EXISTS;

/** A read whose collection was dropped under it (a blue/green switch): read the pointer again. */
export const isCollectionGone = (e: unknown): boolean =>
  codeOf(e) === QUERY_PLAN_KILLED || isNamespaceNotFound(e);

/** BadValue (2) naming the hint: the hinted index does not exist on this collection. */
export const isMissingHintedIndex = (e: unknown): boolean =>
  codeOf(e) === 2 && e instanceof Error && /hint/i.test(e.message);
