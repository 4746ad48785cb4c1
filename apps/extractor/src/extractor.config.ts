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
  /** Most images per model call; a bigger partition batch is split (the batch is whatever one fetch brought, up to this). */
  EXTRACTOR_MAX_BATCH_SIZE: env.int(32, 1),
  /** Fetch + decode jobs in flight within one batch. */
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
  /** Topic overrides (tests use unique topics). */
  EXTRACTOR_TOPIC_IMAGE_ARRIVED: topicName.default('image-arrived'),
  EXTRACTOR_TOPIC_VECTOR_EXTRACTED: topicName.default('vector-extracted'),
});
export type ExtractorConfig = z.infer<typeof extractorConfigSchema>;
