import { stack, uniqueName } from '@stylestream/test-support';

/** Environment of a search API child process in the integration tests: vector search only (no model), an empty catalogue alias, generous rate limits. */
export function searchApiTestEnv(options: { apiKey: string; owners: readonly string[]; deadlineMs: number; dim: number }): Record<string, string> {
  return {
    SEARCH_HTTP_PORT: '0',
    SEARCH_API_KEYS: options.apiKey,
    SEARCH_SHARD_OWNERS: options.owners.join(','),
    SEARCH_SHARD_DEADLINE_MS: String(options.deadlineMs),
    SEARCH_DIM: String(options.dim),
    SEARCH_IMAGE_MODEL: 'false',
    SEARCH_MODEL_VERSION: '1.0.0',
    SEARCH_RATE_LIMIT_PER_SEC: '1000',
    SEARCH_RATE_LIMIT_BURST: '1000',
    ELASTICSEARCH_URL: stack.elasticsearchUrl,
    CATALOG_ALIAS: uniqueName('search-it-alias'),
  };
}
