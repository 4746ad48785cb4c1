import type { VectorExtracted } from './vector-extracted.event';

/** Dedup verdicts, in the order of the Avro enum symbols. */
export const DEDUP_STATUSES = ['UNIQUE', 'EXACT_DUPLICATE', 'NEAR_DUPLICATE'] as const;
export type DedupStatus = (typeof DEDUP_STATUSES)[number];

/** Value of topic `vector-cleaned` (key = imageId): a vector-extracted record plus the dedup verdict. */
export interface VectorCleaned extends VectorExtracted {
  status: DedupStatus;
  /** imageId of the canonical image; null when UNIQUE. */
  duplicateOf?: string | null;
  /** Similarity to the canonical image in [0, 1]; null when UNIQUE. */
  similarity?: number | null;
  /** ms since the Unix epoch (timestamp-millis). */
  cleanedAt: number;
}
