import type { DedupRow, IndexProgressRow } from '../domain/dedup-rows';
import type { FactRow, StoredFactKey } from '../domain/fact-rows';

/**
 * Where the sink writes. Every method either completes or throws:
 * DependencyUnavailableError when the store is down or slow (the consumer
 * pauses and retries the messages), any other error for a bad statement
 * (a bug: the messages are dead-lettered). Inserts are idempotent under
 * replay because rows carry versions (see docs/DESIGN.md §13).
 */
export interface AnalyticsStore {
  /** The stored key and version of each image that has a row (live or deleted). */
  storedFactKeys(imageIds: readonly string[]): Promise<Map<string, StoredFactKey>>;
  /**
   * Writes fact rows into image_facts (one insert). Once it resolves,
   * storedFactKeys sees them; a failure leaves the rows to be written again.
   */
  insertFacts(rows: readonly FactRow[]): Promise<void>;
  insertDedup(rows: readonly DedupRow[]): Promise<void>;
  insertIndexProgress(rows: readonly IndexProgressRow[]): Promise<void>;
}
