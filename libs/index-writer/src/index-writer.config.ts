import { z } from 'zod';
import { env } from '@stylestream/config';
import { kafkaEnvSchema } from '@stylestream/kafka';

const topicName = z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be a valid Kafka topic name');

/** Typed configuration of the index-writer, validated at boot. */
export const indexWriterConfigSchema = kafkaEnvSchema.extend({
  KAFKA_CLIENT_ID: z.string().min(1).default('stylestream-index-writer'),
  KAFKA_GROUP_ID: z.string().min(1).default('index-writer'),
  SCHEMA_REGISTRY_URL: env.url('http://127.0.0.1:8081'),
  /** Root of the shard files: `<dir>/<modelVersion>/MANIFEST.json` and shard files. */
  INDEX_DATA_DIR: z.string().min(1).default('.data/index-writer'),
  /** The one model version this writer indexes; records of any other are dead-lettered. */
  INDEX_MODEL_VERSION: z.string().regex(/^[A-Za-z0-9._@-]{1,100}$/, 'must be a file-name-safe version').default('1.0.0'),
  /**
   * Records of another model version: `dead-letter` (UNKNOWN_MODEL_VERSION) or `skip` (another writer indexes
   * that version beside this one, e.g. during a migration: counted as skipped, the offset counts as applied).
   */
  INDEX_OTHER_MODEL_VERSIONS: z.enum(['dead-letter', 'skip']).default('dead-letter'),
  INDEX_DIM: env.int(256, 1),
  INDEX_SPACE: z.enum(['ip', 'cosine']).default('ip'),
  INDEX_M: env.int(16, 2),
  INDEX_EF_CONSTRUCTION: env.int(200, 1),
  INDEX_EF: env.int(64, 1),
  /** Live vectors per shard before it is sealed. */
  INDEX_SHARD_CAPACITY: env.int(1_000_000, 1),
  /** Snapshot the growing shard after this many operations ... */
  INDEX_SNAPSHOT_EVERY_OPS: env.int(10_000, 1),
  /** ... or this long after the first unsnapshotted operation. */
  INDEX_SNAPSHOT_EVERY_MS: env.int(5_000, 10),
  /** A due snapshot waits until the gap since the last one is this many times its duration (0 = off): snapshots (written in the background) take at most ~1/N of the time. */
  INDEX_SNAPSHOT_BACKOFF_FACTOR: env.int(10, 0),
  /** Compact a shard (rebuild its graph from live vectors) once its deleted share passes this. */
  INDEX_REBUILD_DELETED_RATIO: z.coerce.number().gt(0).max(1).default(0.2),
  /** Worker threads holding the shards (partition p → worker p mod N); 0 keeps them on the main thread. */
  INDEX_WORKERS: env.int(2, 0),
  /** The k-NN endpoint (0 = any free port, logged). */
  INDEX_HTTP_PORT: env.port(8097),
  INDEX_HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  /** Largest JSON body (a big filterIds list). */
  INDEX_HTTP_MAX_BODY_BYTES: env.int(64 * 1024 * 1024, 1024),
  /** Largest k a query may ask. */
  INDEX_MAX_K: env.int(20_000, 1),
  /** Id filters up to this size are scored exactly; larger ones use filtered HNSW traversal. */
  INDEX_EXACT_FILTER_MAX: env.int(20_000, 0),
  /** Name this writer reports as `owner` (default host:port of the endpoint). */
  INDEX_OWNER_ID: z.string().min(1).optional(),
  /** Topic overrides (tests use unique topics). */
  /** Serve and record the app's own metrics (off only to measure their cost; the libs/kafka stage counters always count). */
  METRICS_ENABLED: env.bool(true),
  INDEX_TOPIC_VECTOR_CLEANED: topicName.default('vector-cleaned'),
  INDEX_TOPIC_INDEX_UPDATED: topicName.default('index-updated'),
});
export type IndexWriterConfig = z.infer<typeof indexWriterConfigSchema>;
