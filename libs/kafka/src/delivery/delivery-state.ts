/**
 * The states of the at-least-once delivery argument (docs/DESIGN.md §4).
 * A message moves RECEIVED → DECODED → HANDLED → COMMITTED, or leaves the
 * happy path to RETRY_SCHEDULED / PAUSED (offset not resolved: it is fetched
 * again) or DEAD_LETTERED (envelope acknowledged by the broker, then the
 * offset is resolved and COMMITTED). An offset is only committed once every
 * message before it is HANDLED or DEAD_LETTERED.
 */
export enum DeliveryState {
  /** Fetched from the broker; nothing decided yet. */
  RECEIVED = 'RECEIVED',
  /** Bytes decoded against the registry (or recognised as a tombstone). */
  DECODED = 'DECODED',
  /** The handler returned processed or skipped; the message is settled. */
  HANDLED = 'HANDLED',
  /** A retriable failure below maxAttempts; the partition is paused for the backoff delay. */
  RETRY_SCHEDULED = 'RETRY_SCHEDULED',
  /** A dependency is down; the partition is paused and retried without limit, never dead-lettered. */
  PAUSED = 'PAUSED',
  /** The dead-letter envelope was acknowledged by the broker; the message is settled. */
  DEAD_LETTERED = 'DEAD_LETTERED',
  /** The offset after the message was committed for the group. */
  COMMITTED = 'COMMITTED',
}
