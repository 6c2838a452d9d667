import { isUnavailable } from '@ledger/platform/errors';

/** Capped exponential backoff with jitter: `min(maxMs, initialMs * factor^attempt)`, scaled by (1 - jitter * random). */
export interface RetryPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
  /** 0 = none, 1 = anywhere between 0 and the full delay ("full jitter"). */
  readonly jitter: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { initialMs: 50, maxMs: 5_000, factor: 2, jitter: 0.5 };

/**
 * Delay before retry number `attempt` (0 for the first retry). Jitter spreads the retries of
 * several workers (one per projection) that all failed on the same outage.
 */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number): number {
  const capped = Math.min(policy.maxMs, policy.initialMs * policy.factor ** Math.min(attempt, 30));
  return Math.round(capped * (1 - policy.jitter * random()));
}

const TRANSIENT_SQLITE = /^SQLITE_(BUSY|LOCKED)/;

/**
 * Worth retrying the same batch: a store said it is unavailable (adapters map their driver's
 * network or timeout errors to UnavailableError), or SQLite's lock was busy past its timeout.
 * Anything else thrown by a fold is a property of the event (poison), not of the moment.
 */
export function isTransient(e: unknown): boolean {
  if (isUnavailable(e)) return true;
  const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
  return typeof code === 'string' && TRANSIENT_SQLITE.test(code);
}
