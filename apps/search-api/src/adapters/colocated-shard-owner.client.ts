import { DependencyUnavailableError, reasonOf } from '@stylestream/errors';
import type { HttpErrorFilter } from '@stylestream/http';
import { parseKnnRequest, type ShardQueryService } from '@stylestream/index-writer';
import { OwnerRejectedError } from '../domain/owner-rejected.error';
import type { KnnAnswer, KnnRequest, ShardListing, ShardOwnerClient, StoredVector } from '../domain/shard-owner.port';

/** The shard owner running in this process (SEARCH_LOCAL_OWNER): its base URL, its query service and its request limits. */
export interface ColocatedOwner {
  /** The owner's own endpoint, as peers and the directory know it. */
  readonly url: string;
  readonly queries: Pick<ShardQueryService, 'knn' | 'shards' | 'vector'>;
  readonly dim: number;
  readonly maxK: number;
}

/**
 * ShardOwnerClient that answers the owner running in this process by calling
 * its query service directly (no socket, no JSON, no thread hop) and hands
 * every other owner to `remote`. The in-process calls keep the HTTP contract:
 * the same request validation (`parseKnnRequest`), a 4xx becomes
 * OwnerRejectedError with the status and reason the owner's endpoint would
 * give (mapped by the same error filter), anything else
 * DependencyUnavailableError.
 *
 * The local owner's search runs on this thread: the fan-out's deadline cannot
 * interrupt it, so it always answers (it cannot be dead while this process
 * answers at all); its cost is the search itself.
 */
export class ColocatedShardOwnerClient implements ShardOwnerClient {
  constructor(
    private readonly local: ColocatedOwner,
    private readonly remote: ShardOwnerClient,
    private readonly errors: Pick<HttpErrorFilter, 'toResponse'>,
  ) {}

  async knn(owner: string, request: KnnRequest, signal: AbortSignal): Promise<KnnAnswer> {
    if (owner !== this.local.url) return this.remote.knn(owner, request, signal);
    return this.inProcess('POST /v1/knn', () => this.local.queries.knn(parseKnnRequest(request, this.local.dim, this.local.maxK)));
  }

  async shards(owner: string, signal: AbortSignal): Promise<ShardListing> {
    if (owner !== this.local.url) return this.remote.shards(owner, signal);
    return this.inProcess('GET /v1/shards', () => this.local.queries.shards());
  }

  async vector(owner: string, imageId: string, modelVersion: string | undefined, signal: AbortSignal): Promise<StoredVector | undefined> {
    if (owner !== this.local.url) return this.remote.vector(owner, imageId, modelVersion, signal);
    try {
      return await this.inProcess('GET /v1/vectors', () => this.local.queries.vector(imageId, modelVersion));
    } catch (err) {
      if (err instanceof OwnerRejectedError && err.status === 404) return undefined;
      throw err;
    }
  }

  /** Closes the remote client; the local owner is stopped by whoever started it. */
  async close(): Promise<void> {
    await this.remote.close();
  }

  private async inProcess<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      const [status, body] = this.errors.toResponse(err);
      const reason = body.reason ?? reasonOf(err);
      if (status >= 400 && status < 500) throw new OwnerRejectedError(this.local.url, status, reason);
      throw new DependencyUnavailableError(`shard owner ${this.local.url}`, `${what}: ${reasonOf(err)}`, err);
    }
  }
}
