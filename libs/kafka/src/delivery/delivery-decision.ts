import { DependencyUnavailableError, isRetriable } from '@stylestream/errors';
import { HandlerOutcome } from './handler-outcome';
import { RetryPolicy, backoffDelayMs } from './retry-policy';

/**
 * What the consumer does with one message after decoding and handling it.
 * - commit: settled; resolve the offset.
 * - retry: retriable failure below maxAttempts; pause the partition `delayMs`, then fetch it again.
 * - pause: a dependency is down; same as retry but without an attempt limit (never dead-lettered).
 * - dead-letter: write the envelope to `<topic>.dlq`, then resolve the offset.
 */
export type DeliveryAction =
  | { readonly kind: 'commit'; readonly outcome: 'processed' | 'skipped'; readonly reason?: string }
  | { readonly kind: 'retry'; readonly delayMs: number; readonly attempts: number; readonly error: unknown }
  | { readonly kind: 'pause'; readonly delayMs: number; readonly attempts: number; readonly error: unknown }
  | { readonly kind: 'dead-letter'; readonly attempts: number; readonly error: unknown };

/**
 * Maps an outcome to an action. `attempts` counts handler attempts for this
 * message including the current one (1 on first delivery).
 * Only errors with `retriable: true` are retried (the allowlist); a
 * DependencyUnavailableError pauses instead, with the delay capped at maxDelayMs.
 */
export function decideDelivery(
  outcome: HandlerOutcome,
  attempts: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): DeliveryAction {
  switch (outcome.kind) {
    case 'processed':
      return { kind: 'commit', outcome: 'processed' };
    case 'skipped':
      return { kind: 'commit', outcome: 'skipped', reason: outcome.reason };
    case 'failed': {
      const { error } = outcome;
      if (error instanceof DependencyUnavailableError) {
        return { kind: 'pause', delayMs: backoffDelayMs(policy, attempts, random), attempts, error };
      }
      if (isRetriable(error) && attempts < policy.maxAttempts) {
        return { kind: 'retry', delayMs: backoffDelayMs(policy, attempts, random), attempts, error };
      }
      return { kind: 'dead-letter', attempts, error };
    }
  }
}
