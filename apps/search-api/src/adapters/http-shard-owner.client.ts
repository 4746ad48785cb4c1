import { Agent, request } from 'undici';
import { DependencyUnavailableError, reasonOf } from '@stylestream/errors';
import { OwnerRejectedError } from '../domain/owner-rejected.error';
import type { KnnAnswer, KnnRequest, ShardListing, ShardOwnerClient, StoredVector } from '../domain/shard-owner.port';

export interface HttpShardOwnerClientOptions {
  /** Sockets kept per owner (concurrent requests to one owner beyond this queue). */
  readonly connectionsPerOwner: number;
  /** Idle keep-alive before a socket is closed. */
  readonly keepAliveMs: number;
}

/**
 * ShardOwnerClient over HTTP/1.1 with one undici keep-alive pool per owner
 * (no connection set-up on the query path). An aborted call destroys its
 * socket (the pool opens a fresh one next time), so a slow owner's late
 * answer never reaches a later query.
 */
export class HttpShardOwnerClient implements ShardOwnerClient {
  private readonly agent: Agent;
  /** A fan-out sends one request object to every owner: its JSON (the vector, candidate ids) is written once. */
  private readonly bodies = new WeakMap<KnnRequest, string>();

  constructor(options: HttpShardOwnerClientOptions) {
    this.agent = new Agent({ connections: options.connectionsPerOwner, keepAliveTimeout: options.keepAliveMs, keepAliveMaxTimeout: Math.max(options.keepAliveMs, 60_000), pipelining: 1 });
  }

  async knn(owner: string, body: KnnRequest, signal: AbortSignal): Promise<KnnAnswer> {
    let json = this.bodies.get(body);
    if (json === undefined) {
      json = JSON.stringify(body);
      this.bodies.set(body, json);
    }
    return this.call<KnnAnswer>(owner, 'POST', '/v1/knn', signal, json);
  }

  async shards(owner: string, signal: AbortSignal): Promise<ShardListing> {
    return this.call<ShardListing>(owner, 'GET', '/v1/shards', signal);
  }

  async vector(owner: string, imageId: string, modelVersion: string | undefined, signal: AbortSignal): Promise<StoredVector | undefined> {
    const query = modelVersion === undefined ? '' : `?modelVersion=${encodeURIComponent(modelVersion)}`;
    try {
      return await this.call<StoredVector>(owner, 'GET', `/v1/vectors/${encodeURIComponent(imageId)}${query}`, signal);
    } catch (err) {
      if (err instanceof OwnerRejectedError && err.status === 404) return undefined;
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private async call<T>(owner: string, method: 'GET' | 'POST', path: string, signal: AbortSignal, body?: string): Promise<T> {
    let response;
    try {
      response = await untilAborted(
        request(new URL(path, owner), {
          method,
          dispatcher: this.agent,
          signal,
          ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/json' } }),
        }),
        signal,
      );
    } catch (err) {
      throw new DependencyUnavailableError(`shard owner ${owner}`, signal.aborted ? 'aborted at its deadline' : reasonOf(err), err);
    }
    let parsed: unknown;
    try {
      parsed = await untilAborted(response.body.json(), signal);
    } catch (err) {
      throw new DependencyUnavailableError(`shard owner ${owner}`, `${method} ${path}: HTTP ${response.statusCode} with an unreadable body`, err);
    }
    if (response.statusCode >= 200 && response.statusCode < 300) return parsed as T;
    const reason = typeof parsed === 'object' && parsed !== null && 'reason' in parsed ? String((parsed).reason) : JSON.stringify(parsed).slice(0, 300);
    if (response.statusCode >= 400 && response.statusCode < 500) throw new OwnerRejectedError(owner, response.statusCode, reason);
    throw new DependencyUnavailableError(`shard owner ${owner}`, `${method} ${path}: HTTP ${response.statusCode}: ${reason}`);
  }
}

/**
 * `work`, or a rejection with the signal's reason as soon as `signal` aborts, whichever comes
 * first: a call's deadline holds even where the HTTP client misses the abort. (undici 6.29 left
 * a GET pending for good, its abort ignored, when the owner's connection was reset before any
 * answer: the search API then hung at start.) A call given up on this way settles later
 * unobserved.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
