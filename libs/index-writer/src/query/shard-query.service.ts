import { NotFoundException } from '@nestjs/common';
import type { ShardHost } from '@stylestream/index';
import type { IndexWriterMetrics } from '../index-writer.metrics';
import type { PartitionOwnership } from '../partition-ownership';
import type { KnnRequest } from './knn-request';

export interface KnnResponse {
  readonly owner: string;
  readonly modelVersion: string;
  readonly shards: readonly { readonly shardId: string; readonly count: number }[];
  readonly hits: readonly { readonly id: string; readonly score: number }[];
  readonly tookMs: number;
}

export interface ShardsResponse {
  readonly owner: string;
  readonly modelVersion: string;
  readonly partitions: readonly number[];
  readonly shards: readonly { shardId: string; modelVersion: string; count: number; deleted: number; sealed: boolean; partitions: number[] }[];
}

export interface ShardQueryServiceDeps {
  readonly host: ShardHost;
  readonly ownership: PartitionOwnership;
  readonly owner: () => string;
  readonly modelVersion: string;
  readonly exactFilterMax: number;
  readonly metrics?: IndexWriterMetrics;
}

/**
 * Answers the shard-owner k-NN contract over the shards this writer owns:
 * hits best first, score = inner product of normalised vectors (cosine).
 * An unknown model version is a 404 (this writer indexes one version).
 */
export class ShardQueryService {
  constructor(private readonly deps: ShardQueryServiceDeps) {}

  async knn(request: KnnRequest): Promise<KnnResponse> {
    this.assertModel(request.modelVersion);
    const started = performance.now();
    const result = await this.deps.host.search({ vector: request.vector, k: request.k, ef: request.ef, filterIds: request.filterIds, excludeIds: request.excludeIds });
    const tookMs = performance.now() - started;
    const strategy = request.filterIds === undefined ? 'plain' : request.filterIds.length <= this.deps.exactFilterMax ? 'exact' : 'filtered';
    this.deps.metrics?.knnServed(strategy, tookMs / 1000);
    return {
      owner: this.deps.owner(),
      modelVersion: this.deps.modelVersion,
      shards: result.shards,
      hits: result.hits.map((h) => ({ id: h.imageId, score: h.score })),
      tookMs: Math.round(tookMs * 1000) / 1000,
    };
  }

  async shards(): Promise<ShardsResponse> {
    const stats = await this.deps.host.stats();
    return {
      owner: this.deps.owner(),
      modelVersion: this.deps.modelVersion,
      partitions: this.deps.ownership.partitions().map((p) => p.partition),
      shards: stats.flatMap((p) => p.shards.map((s) => ({ shardId: s.shardId, modelVersion: this.deps.modelVersion, count: s.count, deleted: s.deleted, sealed: s.sealed, partitions: [p.partition] }))),
    };
  }

  async vector(id: string, modelVersion?: string): Promise<{ id: string; modelVersion: string; vector: number[] }> {
    this.assertModel(modelVersion);
    const vector = await this.deps.host.vectorOf(id);
    if (vector === undefined) throw new NotFoundException({ error: 'not_found', reason: `image ${id} is not in this owner's shards` });
    return { id, modelVersion: this.deps.modelVersion, vector };
  }

  async ids(): Promise<{ owner: string; count: number; ids: string[] }> {
    const ids = await this.deps.host.imageIds();
    return { owner: this.deps.owner(), count: ids.length, ids };
  }

  private assertModel(modelVersion: string | undefined): void {
    if (modelVersion !== undefined && modelVersion !== this.deps.modelVersion) {
      throw new NotFoundException({ error: 'unknown_model_version', reason: `model version ${modelVersion} is not served here (this owner serves ${this.deps.modelVersion})` });
    }
  }
}
