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

/**
 * The image's perceptual hashes from vector-cleaned, for near-duplicate lookups
 * (docs/DESIGN.md §18, "Search: near-duplicate lookup before semantic ranking"): the 16-bit bands of the full-frame and
 * centre-crop 64-bit hashes as index terms (`bandTerms`), and the hashes themselves,
 * read back from doc values (not indexed). Doc values of a keyword array come back
 * sorted without repeats, so the full-frame fine hash has a field of its own.
 */
export interface CatalogNearHashes {
  bands: string[];
  cropBands: string[];
  perceptualHash: string;
  cropHashes: string[];
  /** 256-bit hash of the full frame; null when the extractor published none. */
  fineHash: string | null;
  fineCropHashes: string[];
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
  nearHashes?: CatalogNearHashes;
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
