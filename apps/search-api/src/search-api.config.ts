import { z } from 'zod';
import { env } from '@stylestream/config';
import { modelRuntimeEnvSchema } from '@stylestream/model';

const owners = z
  .string()
  .default('')
  .transform((s) => s.split(',').map((x) => x.trim().replace(/\/+$/, '')).filter((x) => x.length > 0))
  .pipe(z.array(z.string().url('each owner must be an http(s) base URL')));

/** Typed configuration of the search API, validated at boot (every bad variable named). */
export const searchApiConfigSchema = modelRuntimeEnvSchema
  .extend({
  SEARCH_HTTP_PORT: env.port(8092),
  SEARCH_HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  /** Comma-separated API keys accepted in the `x-api-key` header; at least one, no default. */
  SEARCH_API_KEYS: z
    .string({ message: 'required: comma-separated API keys for the x-api-key header' })
    .transform((s) => s.split(',').map((x) => x.trim()).filter((x) => x.length > 0))
    .pipe(z.array(z.string().min(8, 'each API key must be at least 8 characters')).min(1, 'at least one API key')),
  /** Requests per second and burst per API key (token bucket, per replica). */
  SEARCH_RATE_LIMIT_PER_SEC: env.int(50, 1),
  SEARCH_RATE_LIMIT_BURST: env.int(100, 1),
  /** Comma-separated base URLs of the shard owners (index-writer HTTP endpoints); may be empty when the model registry names them. */
  SEARCH_SHARD_OWNERS: owners,
  /**
   * Compacted topic of the model registry (`npm run model`): when set, the active version there is the default
   * (over SEARCH_MODEL_VERSION), and the owners of every version not retired join SEARCH_SHARD_OWNERS.
   */
  SEARCH_MODEL_REGISTRY_TOPIC: z.string().regex(/^[A-Za-z0-9._-]{1,249}$/).optional(),
  /**
   * Run a shard owner (the index-writer component, configured by the INDEX_* variables) in this process and
   * answer its shards without a network hop; it joins SEARCH_SHARD_OWNERS and serves its endpoint to peers as usual.
   * docs/DESIGN.md §18 "A shard owner in the search API's process".
   */
  SEARCH_LOCAL_OWNER: env.bool(false),
  /** Brokers of the model registry topic (and of the local owner's consumer). */
  KAFKA_BROKERS: env.csv('127.0.0.1:9092'),
  /** Per-owner deadline of a k-NN fan-out; a later answer is ignored and the result is partial. */
  SEARCH_SHARD_DEADLINE_MS: env.int(100, 1),
  /** Background refresh of every owner's /v1/shards listing. */
  SEARCH_SHARDS_REFRESH_MS: env.int(5_000, 100),
  SEARCH_OWNER_CONNECTIONS: env.int(32, 1),
  /** Vector dimension of the index. */
  SEARCH_DIM: env.int(256, 1),
  /** Default index version; unset: the loaded model's version (or the owners' own when the model is off). */
  SEARCH_MODEL_VERSION: z.string().regex(/^[A-Za-z0-9._@-]{1,100}$/).optional(),
  SEARCH_DEFAULT_K: env.int(10, 1),
  /** Largest k of one page. */
  SEARCH_MAX_K: env.int(10_000, 1),
  /** Deepest rank reachable by paging (offset + k), at most the owners' INDEX_MAX_K. */
  SEARCH_MAX_DEPTH: env.int(20_000, 1),
  SEARCH_MAX_EF: env.int(20_000, 1),
  /** Most candidate ids a filtered search sends to the owners (exact scoring); broader filters are post-filtered. */
  SEARCH_FILTER_CANDIDATE_MAX: env.int(20_000, 0),
  /**
   * Cost of one post-filtered hit in candidate-id units: candidates are chosen while matching ≤ fetchK × this (docs/DESIGN.md §18).
   * 1.5: measured with the Elasticsearch catalogue (search benchmark, `--catalog es`): ≈ 0.07 ms per over-fetched hit against ≈ 0.05 ms per candidate id.
   */
  SEARCH_FILTER_HIT_COST: z.coerce.number().positive().default(1.5),
  /** Over-fetch factor and floor of the post-filter strategy for broad filters. */
  SEARCH_FILTER_OVERFETCH: z.coerce.number().min(1).default(2),
  SEARCH_FILTER_MIN_FETCH: env.int(100, 1),
  SEARCH_FILTER_ROUNDS: env.int(2, 1),
  /** Deadline of each catalogue call (count, candidate ids, facts). */
  SEARCH_CATALOG_TIMEOUT_MS: env.int(1_000, 10),
  ELASTICSEARCH_URL: env.url('http://127.0.0.1:9200'),
  CATALOG_ALIAS: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,200}$/).default('catalog-images'),
  /**
   * Near-duplicate lookup of image searches (docs/DESIGN.md §18, "Search: near-duplicate lookup before semantic ranking"): catalogue images sharing a
   * pHash band with the query image and passing the dedupe rule's hash clause are put first on the first page.
   */
  SEARCH_NEAR_DUPLICATES: env.bool(true),
  /** Most band candidates read from the catalogue per image search. */
  SEARCH_NEAR_CANDIDATES_MAX: env.int(200, 1),
  /** Hash clause of the dedupe `tiered` rule (defaults: the dedupe stage's DEDUPE_FINE_MAX_DISTANCE, DEDUPE_PHASH_MAX_DISTANCE, DEDUPE_COSINE_MIN_WITH_PHASH). */
  SEARCH_NEAR_FINE_MAX_DISTANCE: z.coerce.number().int().min(0).max(256).default(20),
  SEARCH_NEAR_PHASH_MAX_DISTANCE: z.coerce.number().int().min(0).max(64).default(2),
  SEARCH_NEAR_COSINE_MIN: z.coerce.number().min(-1).max(1).default(0.5),
  /** Load the embedding model for POST /v1/search/image (off: that endpoint answers 503). */
  SEARCH_IMAGE_MODEL: env.bool(true),
  /** Largest upload (or fetched URL body), bytes. */
  SEARCH_UPLOAD_MAX_BYTES: env.int(10 * 1024 * 1024, 1024),
  /** Largest decoded image, width × height. */
  SEARCH_UPLOAD_MAX_PIXELS: env.int(40_000_000, 1),
  SEARCH_UPLOAD_CONTENT_TYPES: env.csv('image/jpeg,image/png,image/webp,image/gif,image/avif,image/tiff'),
  /** URL schemes `{url}` may use; `file` would let clients read the server's disk. */
  SEARCH_URL_SCHEMES: env.csv('http,https').pipe(z.array(z.enum(['http', 'https', 'file']))),
  SEARCH_URL_TIMEOUT_MS: env.int(5_000, 100),
  /** HMAC key of paging cursors; set the same on every replica (unset: random per process). */
  SEARCH_CURSOR_SECRET: z.string().min(16).optional(),
  /** Largest JSON body (vector, filters, cursor), bytes. */
  SEARCH_MAX_JSON_BYTES: env.int(1024 * 1024, 1024),
  })
  .superRefine((config, ctx) => {
    if (config.SEARCH_SHARD_OWNERS.length === 0 && config.SEARCH_MODEL_REGISTRY_TOPIC === undefined && !config.SEARCH_LOCAL_OWNER) {
      ctx.addIssue({ code: 'custom', path: ['SEARCH_SHARD_OWNERS'], message: 'required: comma-separated base URLs of the shard owners (index-writer HTTP endpoints), unless SEARCH_MODEL_REGISTRY_TOPIC names them or SEARCH_LOCAL_OWNER runs one here' });
    }
  });
export type SearchApiConfig = z.infer<typeof searchApiConfigSchema>;
