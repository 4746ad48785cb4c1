import { KeyRateLimiter } from './key-rate.limiter';

describe('KeyRateLimiter', () => {
  it('admits a burst, then refuses with the wait until the next token, per key', () => {
    let now = 0;
    const limiter = new KeyRateLimiter({ perSecond: 2, burst: 3 }, () => now);
    expect([1, 2, 3].map(() => limiter.take('a').admitted)).toEqual([true, true, true]);
    expect(limiter.take('a')).toEqual({ admitted: false, retryAfterMs: 500 });
    expect(limiter.take('b').admitted).toBe(true);
    now = 500;
    expect(limiter.take('a').admitted).toBe(true);
    expect(limiter.take('a').admitted).toBe(false);
    now = 60_000;
    expect([1, 2, 3, 4].map(() => limiter.take('a').admitted)).toEqual([true, true, true, false]);
  });
});
