import { LABEL_DIMENSIONS, type DedupStatus, type ImageLabels, type ImageSource } from '@stylestream/schemas';

/**
 * Lifecycle of a catalogue document:
 * - PENDING: only derived events (vector-cleaned) arrived so far, no image-arrived yet (replays interleave topics);
 * - LIVE: the image's last image-arrived event is a value;
 * - TAKEN_DOWN: its last image-arrived event is a tombstone. The document stays as a marker carrying the
 *   offset guard, so an older event delivered late cannot resurrect the image (see docs/DESIGN.md §12).
 * Searches return LIVE documents only.
 */
export enum CatalogDocState {
  PENDING = 'pending',
  LIVE = 'live',
  TAKEN_DOWN = 'taken-down',
}

/** The topics whose events a catalogue image document merges, each with its own offset guard. */
export type GuardedTopic = 'imageArrived' | 'vectorCleaned';

/** Dedup verdict from vector-cleaned, with the record's coordinates (what index-updated watermarks refer to). */
export interface CatalogDedupe {
  status: DedupStatus;
  duplicateOf: string | null;
  similarity: number | null;
  cleanedAt: number;
  partition: number;
  offset: number;
}

/** The `_source` of one document of the images index (id = imageId). */
export interface CatalogImageDoc {
  imageId: string;
  state: CatalogDocState;
  uri?: string;
  source?: ImageSource;
  bloggerId?: string | null;
  publishedAt?: number;
  crawledAt?: number;
  title?: string | null;
  labels?: ImageLabels;
  dedupe?: CatalogDedupe;
  /** Last applied offset per input topic; an event at or below it is already applied (replay) or stale (reorder). */
  guards: Partial<Record<GuardedTopic, number>>;
}

/** The `_source` of one document of the shards index (id = shardId), from index-updated. */
export interface CatalogShardDoc {
  shardId: string;
  snapshotVersion: number;
  vectorCount: number;
  sealed: boolean;
  at: number;
  partitions: { topic: string | null; partition: number; offset: number }[];
  ops: { added: number; replaced: number; deleted: number; skipped: number };
}

/** Field of the images index holding a label dimension. */
export function labelField(dimension: (typeof LABEL_DIMENSIONS)[number]): string {
  return `labels.${dimension}`;
}
