/** Requests per second and burst allowed to one API key. */
export interface RateLimit {
  readonly perSecond: number;
  readonly burst: number;
}

/** Admitted, or refused with how long until one more request would be. */
export type RateDecision = { readonly admitted: true } | { readonly admitted: false; readonly retryAfterMs: number };

/**
 * A token bucket per API key: `burst` tokens, refilled at `perSecond`; each
 * request takes one. In-process (one bucket set per replica: the effective
 * limit of a key is per replica). Only verified keys reach it, so the bucket
 * map is bounded by the configured keys.
 */
export class KeyRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number = () => performance.now(),
  ) {}

  take(key: string): RateDecision {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.limit.burst, at: now };
    bucket.tokens = Math.min(this.limit.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.limit.perSecond);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { admitted: true };
    }
    return { admitted: false, retryAfterMs: Math.ceil(((1 - bucket.tokens) / this.limit.perSecond) * 1000) };
  }
}
