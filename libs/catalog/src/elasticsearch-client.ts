import { Client } from '@elastic/elasticsearch';

export interface ElasticsearchClientOptions {
  readonly node: string;
  /** Per-request timeout; a slower answer is a TimeoutError (retriable). */
  readonly requestTimeoutMs?: number;
  /** Client-level retries before an error reaches the caller (which then pauses its partition). */
  readonly maxRetries?: number;
}

export const ELASTICSEARCH_DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
export const ELASTICSEARCH_DEFAULT_MAX_RETRIES = 2;

/** The Elasticsearch client of the catalogue (security is off on the local stack; add auth here when it is not). */
export function createElasticsearchClient(options: ElasticsearchClientOptions): Client {
  return new Client({
    node: options.node,
    requestTimeout: options.requestTimeoutMs ?? ELASTICSEARCH_DEFAULT_REQUEST_TIMEOUT_MS,
    maxRetries: options.maxRetries ?? ELASTICSEARCH_DEFAULT_MAX_RETRIES,
  });
}

/**
 * How long one call may take with the client's own timeout and its retries (every try timing out),
 * plus 5 s: a deadline above it bounds only what the client fails to bound itself.
 */
export function elasticsearchCallBoundMs(requestTimeoutMs = ELASTICSEARCH_DEFAULT_REQUEST_TIMEOUT_MS, maxRetries = ELASTICSEARCH_DEFAULT_MAX_RETRIES): number {
  return (maxRetries + 1) * requestTimeoutMs + 5_000;
}
