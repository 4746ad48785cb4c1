/**
 * What a stage handler says about one message. Expected conditions are
 * returned, not thrown; a thrown error is treated as `failed(error)`.
 * - processed: the effect is done (and idempotent); the offset may be committed.
 * - skipped: nothing to do, for a stated reason; the offset may be committed.
 * - failed: retried if the error is retriable (allowlist, see delivery-decision),
 *   otherwise dead-lettered.
 */
export type HandlerOutcome =
  | { readonly kind: 'processed' }
  | { readonly kind: 'skipped'; readonly reason: string }
  | { readonly kind: 'failed'; readonly error: unknown };

export const Outcome = {
  processed: (): HandlerOutcome => ({ kind: 'processed' }),
  skipped: (reason: string): HandlerOutcome => ({ kind: 'skipped', reason }),
  failed: (error: unknown): HandlerOutcome => ({ kind: 'failed', error }),
} as const;

/** True when `value` has the shape of a HandlerOutcome (used at the framework boundary). */
export function isHandlerOutcome(value: unknown): value is HandlerOutcome {
  if (typeof value !== 'object' || value === null || !('kind' in value)) return false;
  const kind: unknown = value.kind;
  if (kind === 'processed') return true;
  if (kind === 'skipped') return typeof (value as { reason?: unknown }).reason === 'string';
  if (kind === 'failed') return 'error' in value;
  return false;
}
