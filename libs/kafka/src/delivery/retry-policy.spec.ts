import { RETRY_POLICIES, RetryPolicy, assertRetryPolicy, backoffDelayMs } from './retry-policy';

const noJitter: RetryPolicy = { ...RETRY_POLICIES.default, jitter: 0 };

describe('backoffDelayMs', () => {
  it('doubles from the initial delay: 200, 400, 800, 1600, 3200 ms for the default profile', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffDelayMs(noJitter, n))).toEqual([200, 400, 800, 1600, 3200]);
  });

  it('is capped at maxDelayMs', () => {
    expect(backoffDelayMs(noJitter, 20)).toBe(30_000);
    expect(backoffDelayMs(RETRY_POLICIES.test, 10)).toBe(100);
  });

  it('spreads by ±jitter around the base delay, never above the cap', () => {
    const policy: RetryPolicy = { initialDelayMs: 1000, maxDelayMs: 1100, multiplier: 2, maxAttempts: 3, jitter: 0.2 };
    expect(backoffDelayMs(policy, 1, () => 0)).toBe(800);
    expect(backoffDelayMs(policy, 1, () => 0.5)).toBe(1000);
    expect(backoffDelayMs(policy, 1, () => 0.999)).toBe(1100);
  });

  it('treats attempt 0 like attempt 1', () => {
    expect(backoffDelayMs(noJitter, 0)).toBe(200);
  });

  it('the test profile is fast: 10, 20, 40 ms and four attempts', () => {
    expect([1, 2, 3].map((n) => backoffDelayMs(RETRY_POLICIES.test, n))).toEqual([10, 20, 40]);
    expect(RETRY_POLICIES.test.maxAttempts).toBe(4);
  });
});

describe('assertRetryPolicy', () => {
  it('accepts the named profiles', () => {
    expect(() => assertRetryPolicy(RETRY_POLICIES.default)).not.toThrow();
    expect(() => assertRetryPolicy(RETRY_POLICIES.test)).not.toThrow();
  });

  it('names each bad field', () => {
    expect(() => assertRetryPolicy({ initialDelayMs: 10, maxDelayMs: 5, multiplier: 0.5, maxAttempts: 0, jitter: 2 })).toThrow(
      /maxDelayMs.*multiplier.*maxAttempts.*jitter/,
    );
  });
});
