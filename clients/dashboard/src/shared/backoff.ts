// Reconnection delays: exponential backoff with jitter, capped.

export interface BackoffOptions {
  /** Delay before the first retry, in milliseconds. */
  initialMs: number;
  /** Longest delay, in milliseconds. */
  maxMs: number;
  /** Growth per failed attempt. */
  factor: number;
  /** Fraction of the delay that is randomised (0 = none, 0.5 = +-25%). */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = {
  initialMs: 500,
  maxMs: 8000,
  factor: 2,
  jitter: 0.4,
};

/**
 * The delay before retry number `attempt` (0 = the first retry).
 * `random` is injectable for tests; it must return a value in [0, 1).
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const exp = Math.min(Math.max(attempt, 0), 30);
  const base = Math.min(options.maxMs, options.initialMs * options.factor ** exp);
  const spread = base * options.jitter;
  const delay = base - spread / 2 + spread * random();
  return Math.round(Math.min(options.maxMs, Math.max(0, delay)));
}
