import { z } from 'zod';
import { env } from '@stylestream/config';
import { kafkaEnvSchema } from '@stylestream/kafka';
import { modelRuntimeEnvSchema } from '@stylestream/model';

const topicName = z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be a valid Kafka topic name');

/** Typed configuration of the extractor, validated at boot (docs/DESIGN.md §9). */
export const extractorConfigSchema = kafkaEnvSchema.extend(modelRuntimeEnvSchema.shape).extend({
  KAFKA_CLIENT_ID: z.string().min(1).default('stylestream-extractor'),
  KAFKA_GROUP_ID: z.string().min(1).default('extractor'),
  SCHEMA_REGISTRY_URL: env.url('http://127.0.0.1:8081'),
  /** Dynamic batching: most images per model call. */
  EXTRACTOR_MAX_BATCH_SIZE: env.int(32, 1),
  /** Dynamic batching: longest a decoded image waits for images still being decoded before a smaller model call runs, ms (no wait when none are). */
  EXTRACTOR_MAX_WAIT_MS: env.int(100, 0),
  /** Most records per handler call (one publish per call); a bigger partition batch is split. */
  EXTRACTOR_MAX_MESSAGES_PER_CALL: env.int(32, 1),
  /** Images started per second at most (token bucket, burst = the rate); 0 = no cap. A replay under a new group sets it so live extraction keeps the cores. */
  EXTRACTOR_MAX_RATE: z.coerce.number().min(0).default(0),
  /** Fetch + decode jobs in flight at once, process-wide. */
  EXTRACTOR_PREPARE_CONCURRENCY: env.int(4, 1),
  /** Largest image accepted, in bytes (file or HTTP body). */
  EXTRACTOR_FETCH_MAX_BYTES: env.int(20 * 1024 * 1024, 1),
  /** Deadline of one HTTP attempt, ms. */
  EXTRACTOR_FETCH_TIMEOUT_MS: env.int(10_000, 1),
  /** HTTP attempts on timeout/5xx inside one delivery (the consumer's retry policy adds more). */
  EXTRACTOR_FETCH_ATTEMPTS: env.int(3, 1),
  EXTRACTOR_FETCH_BACKOFF_MS: env.int(200, 0),
  /** Source pixels (width × height) above which an image is refused as a decompression bomb. */
  EXTRACTOR_MAX_PIXELS: env.int(50_000_000, 1),
  /** GET /metrics, /healthz, /readyz (0: a free port, logged at start). */
  EXTRACTOR_HTTP_PORT: env.port(8094),
  EXTRACTOR_HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  /** false: no metrics are recorded by the extractor and /metrics is not served (to measure their cost). */
  METRICS_ENABLED: env.bool(true),
  /** If set, a Prometheus file_sd target file naming this process is written here and removed on stop. */
  EXTRACTOR_TARGET_FILE: z.string().min(1).optional(),
  /** Topic overrides (tests use unique topics). */
  EXTRACTOR_TOPIC_IMAGE_ARRIVED: topicName.default('image-arrived'),
  EXTRACTOR_TOPIC_VECTOR_EXTRACTED: topicName.default('vector-extracted'),
});
export type ExtractorConfig = z.infer<typeof extractorConfigSchema>;
