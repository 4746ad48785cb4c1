import type { ScoredId } from './search-query';

/** Body of an owner's POST /v1/knn (see the shard-owner contract in docs/DESIGN.md §18). */
export interface KnnRequest {
  readonly vector: readonly number[];
  readonly k: number;
  readonly ef?: number;
  readonly modelVersion?: string;
  /** Only these ids may be returned; the owner scores them exactly when the set is small. */
  readonly filterIds?: readonly string[];
  readonly excludeIds?: readonly string[];
}

/** One shard that took part in an owner's answer. */
export interface ShardCount {
  readonly shardId: string;
  readonly count: number;
}

export interface KnnAnswer {
  readonly owner: string;
  readonly modelVersion: string;
  readonly shards: readonly ShardCount[];
  /** Best first. */
  readonly hits: readonly ScoredId[];
  readonly tookMs: number;
}

/** An owner's GET /v1/shards. */
export interface ShardListing {
  readonly owner: string;
  readonly modelVersion: string;
  readonly partitions: readonly number[];
  readonly shards: readonly { readonly shardId: string; readonly modelVersion: string; readonly count: number; readonly deleted: number; readonly sealed: boolean; readonly partitions: readonly number[] }[];
}

export interface StoredVector {
  readonly id: string;
  readonly modelVersion: string;
  readonly vector: number[];
}

/**
 * Talks to one shard owner (an index-writer's internal HTTP endpoint) by its
 * base URL. Every call takes an AbortSignal and must settle promptly once it
 * is aborted (the fan-out aborts at the owner's deadline).
 * Errors: OwnerRejectedError for a 4xx the owner gives (status and reason),
 * DependencyUnavailableError when it cannot be reached, answers 5xx or the
 * call was aborted.
 */
export interface ShardOwnerClient {
  knn(owner: string, request: KnnRequest, signal: AbortSignal): Promise<KnnAnswer>;
  shards(owner: string, signal: AbortSignal): Promise<ShardListing>;
  /** The stored vector of an image, or undefined when this owner does not hold it (404). */
  vector(owner: string, imageId: string, modelVersion: string | undefined, signal: AbortSignal): Promise<StoredVector | undefined>;
  close(): Promise<void>;
}
