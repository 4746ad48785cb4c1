import { DependencyUnavailableError } from '@stylestream/errors';
import { OwnerRejectedError } from '../src/domain/owner-rejected.error';
import type { ScoredId } from '../src/domain/search-query';
import type { KnnAnswer, KnnRequest, ShardListing, ShardOwnerClient, StoredVector } from '../src/domain/shard-owner.port';

/** How a fake owner behaves. */
export interface FakeOwner {
  /** id → vector (dot product with the query is the score). */
  readonly points: Map<string, number[]>;
  readonly shards: string[];
  /** 'hang': never answers unless aborted; 'ignore-abort': never settles at all; 'down': connection refused; 'reject404'. */
  mode: 'ok' | 'hang' | 'ignore-abort' | 'down' | 'reject404';
}

const dot = (a: readonly number[], b: readonly number[]) => a.reduce((s, x, i) => s + x * (b[i] ?? 0), 0);

/** In-memory shard owners answering by exact scoring; records every request and signal. */
export class FakeShardOwners implements ShardOwnerClient {
  readonly owners = new Map<string, FakeOwner>();
  readonly requests: { owner: string; request: KnnRequest; signal: AbortSignal }[] = [];

  add(owner: string, points: Record<string, number[]>, shards = [`${owner}-s0`]): this {
    this.owners.set(owner, { points: new Map(Object.entries(points)), shards, mode: 'ok' });
    return this;
  }

  mode(owner: string, mode: FakeOwner['mode']): void {
    const o = this.owners.get(owner);
    if (o !== undefined) o.mode = mode;
  }

  knn(owner: string, request: KnnRequest, signal: AbortSignal): Promise<KnnAnswer> {
    this.requests.push({ owner, request, signal });
    const o = this.owners.get(owner);
    if (o === undefined) return Promise.reject(new DependencyUnavailableError(owner, 'unknown'));
    switch (o.mode) {
      case 'down':
        return Promise.reject(new DependencyUnavailableError(`shard owner ${owner}`, 'connect ECONNREFUSED'));
      case 'reject404':
        return Promise.reject(new OwnerRejectedError(owner, 404, `unknown model version ${request.modelVersion ?? ''}`));
      case 'ignore-abort':
        return new Promise<KnnAnswer>(() => undefined);
      case 'hang':
        return new Promise<KnnAnswer>((_, reject) => signal.addEventListener('abort', () => reject(new DependencyUnavailableError(owner, 'aborted'))));
      case 'ok': {
        const allow = request.filterIds === undefined ? undefined : new Set(request.filterIds);
        const exclude = new Set(request.excludeIds ?? []);
        const hits: ScoredId[] = [...o.points.entries()]
          .filter(([id]) => (allow === undefined || allow.has(id)) && !exclude.has(id))
          .map(([id, v]) => ({ id, score: dot(request.vector, v) }))
          .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1))
          .slice(0, request.k);
        return Promise.resolve({ owner, modelVersion: '1.0.0', shards: o.shards.map((shardId) => ({ shardId, count: o.points.size })), hits, tookMs: 0 });
      }
      default: {
        const never: never = o.mode;
        throw new Error(String(never));
      }
    }
  }

  shards(owner: string): Promise<ShardListing> {
    const o = this.owners.get(owner);
    if (o === undefined || o.mode !== 'ok') return Promise.reject(new DependencyUnavailableError(owner, 'down'));
    return Promise.resolve({ owner, modelVersion: '1.0.0', partitions: [0], shards: o.shards.map((shardId) => ({ shardId, modelVersion: '1.0.0', count: o.points.size, deleted: 0, sealed: false, partitions: [0] })) });
  }

  vector(owner: string, imageId: string): Promise<StoredVector | undefined> {
    const o = this.owners.get(owner);
    if (o === undefined || o.mode !== 'ok') return Promise.reject(new DependencyUnavailableError(owner, 'down'));
    const v = o.points.get(imageId);
    return Promise.resolve(v === undefined ? undefined : { id: imageId, modelVersion: '1.0.0', vector: v });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
