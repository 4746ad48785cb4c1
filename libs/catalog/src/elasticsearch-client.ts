import { Client, HttpConnection } from '@elastic/elasticsearch';

export interface ElasticsearchClientOptions {
  readonly node: string;
  /** Per-request timeout; a slower answer is a TimeoutError (retriable). */
  readonly requestTimeoutMs?: number;
  /** Client-level retries before an error reaches the caller (which then pauses its partition). */
  readonly maxRetries?: number;
}

/**
 * The Elasticsearch client of the catalogue (security is off on the local stack; add auth here
 * when it is not). It speaks through Node's own HTTP agent (`HttpConnection`), not the client's
 * default undici pool: the undici 6 the client ships with leaves a request pending for good, its
 * timeout ignored, when the server accepts the connection and closes it before answering (what a
 * load balancer or port proxy in front of a stopped node does); the catalogue sink would then wait
 * forever instead of pausing and retrying.
 */
export function createElasticsearchClient(options: ElasticsearchClientOptions): Client {
  return new Client({ node: options.node, Connection: HttpConnection, requestTimeout: options.requestTimeoutMs ?? 10_000, maxRetries: options.maxRetries ?? 2 });
}
