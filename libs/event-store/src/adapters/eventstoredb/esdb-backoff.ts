export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
}

export const DEFAULT_RESUBSCRIBE_BACKOFF: BackoffOptions = { initialMs: 100, maxMs: 5_000 };

/**
 * Delay before retry number `attempt` (0-based): doubles up to the cap, then "equal jitter"
 * (half fixed, half random) so many projectors cut off by one outage do not reconnect in step.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const exp = Math.min(options.maxMs, options.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(exp / 2 + (exp / 2) * random());
}
