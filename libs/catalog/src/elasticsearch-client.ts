import { Client } from '@elastic/elasticsearch';

export interface ElasticsearchClientOptions {
  readonly node: string;
  /** Per-request timeout; a slower answer is a TimeoutError (retriable). */
  readonly requestTimeoutMs?: number;
  /** Client-level retries before an error reaches the caller (which then pauses its partition). */
  readonly maxRetries?: number;
}

/** The Elasticsearch client of the catalogue (security is off on the local stack; add auth here when it is not). */
export function createElasticsearchClient(options: ElasticsearchClientOptions): Client {
  return new Client({ node: options.node, requestTimeout: options.requestTimeoutMs ?? 10_000, maxRetries: options.maxRetries ?? 2 });
}
