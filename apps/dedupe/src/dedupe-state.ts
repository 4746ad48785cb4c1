import { parsePerceptualHash, type DedupStatus, type PerceptualHash } from '@stylestream/schemas';
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
}

/**
 * The global dedupe state: every known image id, plus two indexes over the
 * canonical (UNIQUE) images only — content SHA-256 → ids, and one map per
 * 16-bit pHash band → ids (the near-duplicate candidate index). Duplicates
 * are remembered (so a re-sent id gets its earlier decision) but never
 * matched against: removing a canonical therefore makes the next copy of it
 * UNIQUE again. Synchronous and in memory; durability is the changelog's job.
 */
export class DedupeState {
  private readonly entries = new Map<string, Indexed>();
  private readonly bySha = new Map<string, Set<string>>();
  private readonly bands: Map<number, Set<string>>[] = Array.from({ length: PHASH_BANDS }, () => new Map<number, Set<string>>());

  get size(): number {
    return this.entries.size;
  }

  get(imageId: string): DedupeEntry | undefined {
    return this.entries.get(imageId)?.entry;
  }

  /** Inserts or replaces the entry of `entry.imageId`. Throws InvalidInputError on a malformed pHash. */
  put(entry: DedupeEntry): void {
    const hash = parsePerceptualHash(entry.perceptualHash);
    this.remove(entry.imageId);
    this.entries.set(entry.imageId, { entry, hash });
    if (entry.status !== 'UNIQUE') return;
    addTo(this.bySha, entry.contentSha256, entry.imageId);
    bandsOf(hash).forEach((band, i) => addTo(this.bands[i], band, entry.imageId));
  }

  /** Forgets an image id (no-op when unknown). Returns whether it was known. */
  remove(imageId: string): boolean {
    const old = this.entries.get(imageId);
    if (old === undefined) return false;
    this.entries.delete(imageId);
    if (old.entry.status === 'UNIQUE') {
      removeFrom(this.bySha, old.entry.contentSha256, imageId);
      bandsOf(old.hash).forEach((band, i) => removeFrom(this.bands[i], band, imageId));
    }
    return true;
  }

  /** Canonical images with this content hash, smallest id first (more than one only after a cross-partition race). */
  canonicalsWithSha(contentSha256: string): string[] {
    return [...(this.bySha.get(contentSha256) ?? [])].sort();
  }

  /** Canonical images sharing at least one pHash band with `hash` (a superset of those within distance 3). */
  nearCandidates(hash: PerceptualHash): DedupeEntry[] {
    const ids = new Set<string>();
    bandsOf(hash).forEach((band, i) => {
      for (const id of this.bands[i].get(band) ?? []) ids.add(id);
    });
    return [...ids].sort().flatMap((id) => {
      const e = this.entries.get(id);
      return e === undefined ? [] : [e.entry];
    });
  }
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
