import {
  isUnavailable,
  isWrongExpectedVersion,
  NotFoundError,
  RuleViolation,
  ValidationError,
} from '../errors';

/** How a command ended, as the `outcome` label of `ledger_commands_total`. */
export type CommandOutcome =
  | 'appended'
  | 'unchanged'
  | 'replayed'
  | 'conflict'
  | 'rejected'
  | 'invalid'
  | 'not_found'
  | 'unavailable'
  | 'error';

/** A bounded set of labels, whatever was thrown: an error message never becomes a label. */
export function commandFailureOutcome(error: unknown): CommandOutcome {
  if (isWrongExpectedVersion(error)) return 'conflict';
  if (isUnavailable(error)) return 'unavailable';
  if (error instanceof ValidationError) return 'invalid';
  if (error instanceof NotFoundError) return 'not_found';
  if (error instanceof RuleViolation) return 'rejected';
  return 'error';
}

const SQLITE_BUSY = /^SQLITE_(BUSY|LOCKED)/;

/**
 * A store could not serve: the adapters map driver outages (network, no primary, a lock held past
 * the busy timeout) to UnavailableError and keep the driver's error as `cause`. An
 * UnavailableError without a cause is not a store outage (a closed store at shutdown, an
 * `X-Min-Position` wait that timed out). A raw SQLITE_BUSY is one too: the engine retries it.
 */
export function storeOutage(error: unknown): boolean {
  if (isUnavailable(error)) return error.cause !== undefined;
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && SQLITE_BUSY.test(code);
}
