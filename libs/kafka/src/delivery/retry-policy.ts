/**
 * Capped exponential backoff, as named data. `maxAttempts` counts handler
 * attempts including the first one; a retriable failure on the last attempt
 * is dead-lettered. Delays are worked through with numbers in
 * docs/DESIGN.md §4.
 */
export interface RetryPolicy {
  /** Delay after the first failed attempt. */
  readonly initialDelayMs: number;
  /** Upper bound of any single delay (also the ceiling while a dependency is down). */
  readonly maxDelayMs: number;
  /** Growth factor between consecutive delays (≥ 1). */
  readonly multiplier: number;
  /** Handler attempts before a retriable failure is dead-lettered (≥ 1). */
  readonly maxAttempts: number;
  /** Random spread as a fraction of the delay, 0 (none) to 1 (±100 %). */
  readonly jitter: number;
}

export const RETRY_POLICIES = {
  /** 200, 400, 800, 1600, 3200 ms (±20 %): six attempts within ~6.2 s. */
  default: { initialDelayMs: 200, maxDelayMs: 30_000, multiplier: 2, maxAttempts: 6, jitter: 0.2 },
  /** For tests: 10, 20, 40 ms, no jitter; four attempts within 70 ms. */
  test: { initialDelayMs: 10, maxDelayMs: 100, multiplier: 2, maxAttempts: 4, jitter: 0 },
} as const satisfies Record<string, RetryPolicy>;

export type RetryProfile = keyof typeof RETRY_POLICIES;

/**
 * Delay before attempt `failedAttempts + 1`, after `failedAttempts` (≥ 1)
 * failures: min(maxDelayMs, initialDelayMs × multiplier^(failedAttempts − 1)),
 * spread by ±jitter and never above maxDelayMs.
 */
export function backoffDelayMs(policy: RetryPolicy, failedAttempts: number, random: () => number = Math.random): number {
  const exponent = Math.max(0, failedAttempts - 1);
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.multiplier ** exponent);
  const spread = base * policy.jitter;
  const jittered = base - spread + random() * 2 * spread;
  return Math.round(Math.min(policy.maxDelayMs, Math.max(0, jittered)));
}

/** Checks a policy's invariants; throws a RangeError naming the bad field. */
export function assertRetryPolicy(policy: RetryPolicy): RetryPolicy {
  const problems: string[] = [];
  if (!(policy.initialDelayMs >= 0)) problems.push('initialDelayMs must be ≥ 0');
  if (!(policy.maxDelayMs >= policy.initialDelayMs)) problems.push('maxDelayMs must be ≥ initialDelayMs');
  if (!(policy.multiplier >= 1)) problems.push('multiplier must be ≥ 1');
  if (!(Number.isInteger(policy.maxAttempts) && policy.maxAttempts >= 1)) problems.push('maxAttempts must be an integer ≥ 1');
  if (!(policy.jitter >= 0 && policy.jitter <= 1)) problems.push('jitter must be within [0, 1]');
  if (problems.length > 0) throw new RangeError(`invalid retry policy: ${problems.join('; ')}`);
  return policy;
}
