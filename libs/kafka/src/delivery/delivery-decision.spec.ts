import { DependencyUnavailableError, InternalError, InvalidInputError } from '@stylestream/errors';
import { decideDelivery } from './delivery-decision';
import { Outcome } from './handler-outcome';
import { RETRY_POLICIES } from './retry-policy';

const policy = RETRY_POLICIES.test; // 10, 20, 40 ms; maxAttempts 4

class RetriableGlitch extends Error {
  readonly retriable = true;
}

describe('decideDelivery', () => {
  it('commits processed and skipped outcomes', () => {
    expect(decideDelivery(Outcome.processed(), 1, policy)).toEqual({ kind: 'commit', outcome: 'processed' });
    expect(decideDelivery(Outcome.skipped('already indexed'), 1, policy)).toEqual({ kind: 'commit', outcome: 'skipped', reason: 'already indexed' });
  });

  it('dead-letters non-retriable errors on the first attempt', () => {
    const error = new InvalidInputError('bad bytes', 'WIRE_FORMAT_INVALID');
    expect(decideDelivery(Outcome.failed(error), 1, policy)).toEqual({ kind: 'dead-letter', attempts: 1, error });
    expect(decideDelivery(Outcome.failed(new InternalError('bug')), 1, policy).kind).toBe('dead-letter');
  });

  it('dead-letters errors that do not declare themselves retriable (allowlist)', () => {
    expect(decideDelivery(Outcome.failed(new Error('plain')), 1, policy).kind).toBe('dead-letter');
    expect(decideDelivery(Outcome.failed('a string'), 1, policy).kind).toBe('dead-letter');
  });

  it('retries retriable errors with backoff until maxAttempts, then dead-letters with the attempt count', () => {
    const error = new RetriableGlitch('flaky');
    expect(decideDelivery(Outcome.failed(error), 1, policy)).toEqual({ kind: 'retry', delayMs: 10, attempts: 1, error });
    expect(decideDelivery(Outcome.failed(error), 3, policy)).toEqual({ kind: 'retry', delayMs: 40, attempts: 3, error });
    expect(decideDelivery(Outcome.failed(error), 4, policy)).toEqual({ kind: 'dead-letter', attempts: 4, error });
  });

  it('pauses on DependencyUnavailableError without an attempt limit, the delay capped', () => {
    const error = new DependencyUnavailableError('clickhouse', 'connection refused');
    expect(decideDelivery(Outcome.failed(error), 1, policy)).toEqual({ kind: 'pause', delayMs: 10, attempts: 1, error });
    expect(decideDelivery(Outcome.failed(error), 50, policy)).toEqual({ kind: 'pause', delayMs: 100, attempts: 50, error });
  });
});
