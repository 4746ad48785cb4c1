import { parsePerceptualHash, type DedupStatus, type PerceptualHash } from '@stylestream/schemas';
import { CanonicalVectorIndex, type VectorIndexParams } from './canonical-vector.index';
import { type FineHash, parseFineHash } from './fine-hash';
import { PHASH_BANDS, bandsOf } from './phash-bands';

/**
 * What dedupe remembers about one image id (also the value of its changelog
 * record). `vector` is kept for canonical (UNIQUE) images only: duplicates are
 * never matched against, so their vectors would be dead weight.
 */
export interface DedupeEntry {
  readonly imageId: string;
  readonly contentSha256: string;
  /** 16 lower-case hex digits. */
  readonly perceptualHash: string;
  /** pHashes of centre crops (vector-extracted `cropHashes`), kept for canonical images only; absent or empty when unknown. */
  readonly cropHashes?: readonly string[];
  /** 256-bit hashes (vector-extracted `fineHashes`: full frame, then crops), kept for canonical images only; absent or empty when unknown. */
  readonly fineHashes?: readonly string[];
  readonly modelVersion: string;
  readonly vector: Float32Array | null;
  /** The decision published for this image. */
  readonly status: DedupStatus;
  /** Canonical image id for duplicates; null when UNIQUE. */
  readonly duplicateOf: string | null;
  readonly similarity: number | null;
}

interface Indexed {
  readonly entry: DedupeEntry;
  readonly hash: PerceptualHash;
  readonly crops: readonly PerceptualHash[];
  readonly fine: readonly FineHash[];
}

/** Options of the state's candidate lookup. */
export interface DedupeStateOptions {
  /**
   * How many nearest canonicals by vector (HNSW, same model version and dim) join the
   * pHash band candidates of a lookup; 0 turns the vector lookup off (no graph kept).
   */
  readonly vectorCandidates: number;
  readonly vectorIndex?: VectorIndexParams;
}

/** What a near-duplicate lookup knows of the image being classified. */
export interface NearLookup {
  readonly hash: PerceptualHash;
  /** pHashes of the image's centre crops (may be empty). */
  readonly crops?: readonly PerceptualHash[];
  /** The image's vector, for the vector lookup (ignored when it is off). */
  readonly vector?: { readonly modelVersion: string; readonly values: Float32Array };
}

/**
 * The global dedupe state: every known image id, plus indexes over the
 * canonical (UNIQUE) images only — content SHA-256 → ids; per 16-bit pHash
 * band → ids, once for full-frame hashes and once for centre-crop hashes
 * (the near-duplicate candidate index); and optionally an HNSW graph of the
 * canonical vectors (CanonicalVectorIndex). Duplicates are remembered (so a
 * re-sent id gets its earlier decision) but never matched against: removing
 * a canonical therefore makes the next copy of it UNIQUE again. Synchronous
 * and in memory; every index is derived from the entries, so restoring the
 * entries from the changelog rebuilds them. Durability is the changelog's job.
 */
export class DedupeState {
  private readonly entries = new Map<string, Indexed>();
  private readonly bySha = new Map<string, Set<string>>();
  private readonly bands: Map<number, Set<string>>[] = newBandIndex();
  private readonly cropBands: Map<number, Set<string>>[] = newBandIndex();
  private readonly vectors: CanonicalVectorIndex | undefined;
  private readonly vectorCandidates: number;

  constructor(options: DedupeStateOptions = { vectorCandidates: 0 }) {
    this.vectorCandidates = options.vectorCandidates;
    this.vectors = options.vectorCandidates > 0 ? new CanonicalVectorIndex(options.vectorIndex) : undefined;
  }

  get size(): number {
    return this.entries.size;
  }

  get(imageId: string): DedupeEntry | undefined {
    return this.entries.get(imageId)?.entry;
  }

  /** Inserts or replaces the entry of `entry.imageId`. Throws InvalidInputError on a malformed pHash or crop hash. */
  put(entry: DedupeEntry): void {
    const hash = parsePerceptualHash(entry.perceptualHash);
    const crops = entry.status === 'UNIQUE' ? (entry.cropHashes ?? []).map(parsePerceptualHash) : [];
    const fine = entry.status === 'UNIQUE' ? (entry.fineHashes ?? []).map(parseFineHash) : [];
    this.remove(entry.imageId);
    this.entries.set(entry.imageId, { entry, hash, crops, fine });
    if (entry.status !== 'UNIQUE') return;
    addTo(this.bySha, entry.contentSha256, entry.imageId);
    bandsOf(hash).forEach((band, i) => addTo(this.bands[i], band, entry.imageId));
    for (const crop of crops) bandsOf(crop).forEach((band, i) => addTo(this.cropBands[i], band, entry.imageId));
    if (entry.vector !== null) this.vectors?.upsert(entry.imageId, entry.modelVersion, entry.vector);
  }

  /** Forgets an image id (no-op when unknown). Returns whether it was known. */
  remove(imageId: string): boolean {
    const old = this.entries.get(imageId);
    if (old === undefined) return false;
    this.entries.delete(imageId);
    if (old.entry.status === 'UNIQUE') {
      removeFrom(this.bySha, old.entry.contentSha256, imageId);
      bandsOf(old.hash).forEach((band, i) => removeFrom(this.bands[i], band, imageId));
      for (const crop of old.crops) bandsOf(crop).forEach((band, i) => removeFrom(this.cropBands[i], band, imageId));
      this.vectors?.remove(imageId);
    }
    return true;
  }

  /** Canonical images with this content hash, smallest id first (more than one only after a cross-partition race). */
  canonicalsWithSha(contentSha256: string): string[] {
    return [...(this.bySha.get(contentSha256) ?? [])].sort();
  }

  /** The parsed centre-crop hashes of a canonical image (empty for duplicates and unknown ids). */
  cropHashesOf(imageId: string): readonly PerceptualHash[] {
    return this.entries.get(imageId)?.crops ?? [];
  }

  /** The parsed fine hashes of a canonical image (empty for duplicates and unknown ids). */
  fineHashesOf(imageId: string): readonly FineHash[] {
    return this.entries.get(imageId)?.fine ?? [];
  }

  /**
   * Canonical images, sorted by id, that may be near-duplicates of the looked-up image:
   * - those whose full-frame pHash shares a 16-bit band with the image's pHash or with
   *   one of its crop hashes, or one of whose crop hashes shares a band with the image's
   *   pHash (a superset of those within distance 3 of each such pair);
   * - the `vectorCandidates` nearest by vector (same model version and dim), when on.
   */
  nearCandidates(lookup: NearLookup | PerceptualHash): DedupeEntry[] {
    const query: NearLookup = 'hash' in lookup ? lookup : { hash: lookup };
    const ids = new Set<string>();
    const collect = (index: Map<number, Set<string>>[], hash: PerceptualHash): void =>
      bandsOf(hash).forEach((band, i) => {
        for (const id of index[i].get(band) ?? []) ids.add(id);
      });
    collect(this.bands, query.hash);
    collect(this.cropBands, query.hash);
    for (const crop of query.crops ?? []) collect(this.bands, crop);
    if (this.vectors !== undefined && query.vector !== undefined) {
      for (const id of this.vectors.nearest(query.vector.modelVersion, query.vector.values, this.vectorCandidates)) ids.add(id);
    }
    return [...ids].sort().flatMap((id) => {
      const e = this.entries.get(id);
      return e === undefined ? [] : [e.entry];
    });
  }
}

function newBandIndex(): Map<number, Set<string>>[] {
  return Array.from({ length: PHASH_BANDS }, () => new Map<number, Set<string>>());
}

function addTo<K>(index: Map<K, Set<string>>, key: K, id: string): void {
  let set = index.get(key);
  if (set === undefined) {
    set = new Set();
    index.set(key, set);
  }
  set.add(id);
}

function removeFrom<K>(index: Map<K, Set<string>>, key: K, id: string): void {
  const set = index.get(key);
  if (set === undefined) return;
  set.delete(id);
  if (set.size === 0) index.delete(key);
}
