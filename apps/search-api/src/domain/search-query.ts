import type { CatalogFilter, CatalogImageFacts } from '@stylestream/catalog';

/** Hits before this boundary (in ranking order: score desc, then id asc) were on earlier pages. */
export interface RankBoundary {
  readonly score: number;
  readonly id: string;
}

/**
 * One validated vector search, the unit every endpoint reduces to (an image
 * search embeds first, "similar" looks the vector up first). `offset` and
 * `after` are set on pages after the first (from a cursor).
 */
export interface VectorQuery {
  /** L2-normalised, SEARCH_DIM components. */
  readonly vector: readonly number[];
  /** Hits on this page. */
  readonly k: number;
  /** HNSW candidate list size at the owners (recall/speed knob); owners raise it to the k they are asked for. */
  readonly ef?: number;
  /** Index (model) version to search; undefined: the owners' own. */
  readonly modelVersion?: string;
  readonly filter: CatalogFilter;
  /** Never returned (e.g. the image a "similar" search starts from). */
  readonly excludeIds: readonly string[];
  /** Hits returned by earlier pages. */
  readonly offset: number;
  readonly after?: RankBoundary;
}

/** One scored id from a shard owner. */
export interface ScoredId {
  readonly id: string;
  readonly score: number;
}

/** Why a hit was put first: the hash distance that, with its cosine, made it a near-duplicate of the query image. */
export interface NearDuplicateMatch {
  /** Crop-aware Hamming distance to the query image's hashes. */
  readonly hashDistance: number;
  /** Bits of the hashes compared: 256 (fine hashes) or 64. */
  readonly hashBits: number;
}

/** A result hit: id, similarity and, when the catalogue knows the image, the facts needed to show it. */
export interface SearchHit extends ScoredId {
  readonly facts?: CatalogImageFacts;
  /** Present on hits promoted as near-duplicates of the query image (image search, first page). */
  readonly nearDuplicate?: NearDuplicateMatch;
}

/** What the near-duplicate lookup of an image search did (docs/DESIGN.md §18, "Search: near-duplicate lookup before semantic ranking"). */
export interface NearDuplicateReport {
  /** `checked`: candidates looked up and verified; `skipped`: not a first page, or off; `unavailable`: the catalogue failed (vector ranking only). */
  readonly status: 'checked' | 'skipped' | 'unavailable';
  /** Band candidates the catalogue returned. */
  readonly candidates: number;
  /** Hits put first. */
  readonly promoted: number;
  /** Why the lookup was skipped or unavailable. */
  readonly reason?: string;
}

/** Why a part of the index did not contribute. */
export type MissReason = 'deadline' | 'error';

/** A part of the index missing from an answer: one owner and the shards it held when last listed. */
export interface MissingPart {
  readonly owner: string;
  /** Shard ids of the owner's last /v1/shards listing; empty when it never answered one. */
  readonly shards: readonly string[];
  readonly reason: MissReason;
  readonly detail: string;
}

/** Which shards answered. `partial` in the result is `timedOut + failed > 0`. */
export interface Coverage {
  /** Shards that should have answered: the answered ones plus those of the missing owners (an owner never listed counts as one). */
  readonly shards: number;
  readonly answered: number;
  /** Shards of owners that missed their deadline. */
  readonly timedOut: number;
  /** Shards of owners that failed otherwise (connection refused, 5xx). */
  readonly failed: number;
  readonly owners: { readonly total: number; readonly answered: number };
  readonly missing: readonly MissingPart[];
}

/** How a filtered search was run (see docs/DESIGN.md §18). */
export type FilterStrategyName = 'unfiltered' | 'candidates' | 'post-filter' | 'no-match';

export interface StrategyReport {
  readonly name: FilterStrategyName;
  /** Images matching the filter (catalogue count); undefined when unfiltered. */
  readonly matching?: number;
  /** matching / indexed vectors, the estimate the choice was made on. */
  readonly selectivity?: number;
  /** k asked of each owner (post-filter over-fetch, last round). */
  readonly fetchK: number;
  readonly ef?: number;
  readonly rounds: number;
}

export interface SearchResult {
  readonly hits: readonly SearchHit[];
  readonly coverage: Coverage;
  readonly partial: boolean;
  readonly strategy: StrategyReport;
  /** Present when the catalogue could not be asked for the facts of the hits (hits come without facts). */
  readonly factsUnavailable?: string;
  /** Image searches only: the near-duplicate lookup. */
  readonly nearDuplicates?: NearDuplicateReport;
  /** Opaque; continues this search with the next page. Null when there is none. */
  readonly nextCursor: string | null;
  readonly tookMs: number;
}
