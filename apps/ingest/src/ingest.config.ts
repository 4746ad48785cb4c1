import { z } from 'zod';
import { env } from '@stylestream/config';
import { kafkaEnvSchema } from '@stylestream/kafka';

/**
 * Where ingest publishes, shared by the HTTP app and the CLI: the Kafka
 * library's variables (KAFKA_BROKERS, KAFKA_PRODUCER_RETRIES,
 * KAFKA_TOPIC_PARTITIONS, ...) plus the registry and a topic override.
 */
const kafkaTargetSchema = kafkaEnvSchema.extend({
  KAFKA_CLIENT_ID: z.string().min(1).default('stylestream-ingest'),
  SCHEMA_REGISTRY_URL: env.url('http://127.0.0.1:8081'),
  /** Publishes to this topic instead of `image-arrived` (tests use a unique topic). */
  INGEST_TOPIC: z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be a valid Kafka topic name').optional(),
});

/** Typed configuration of the ingest HTTP app, validated at boot. */
export const ingestHttpConfigSchema = kafkaTargetSchema.extend({
  PORT: env.port(8090),
  HOST: z.string().min(1).default('127.0.0.1'),
  /** Comma-separated API keys accepted in the `x-api-key` header; at least one, no default. */
  INGEST_API_KEYS: z
    .string({ message: 'required: comma-separated API keys for the x-api-key header' })
    .transform((s) => s.split(',').map((x) => x.trim()).filter((x) => x.length > 0))
    .pipe(z.array(z.string().min(8, 'each API key must be at least 8 characters')).min(1, 'at least one API key')),
  /** Most images in one POST /v1/images batch. */
  INGEST_MAX_BATCH: env.int(500, 1),
  /** Largest accepted request body, bytes; larger bodies get 413. */
  INGEST_MAX_BODY_BYTES: env.int(1_048_576, 1024),
});
export type IngestHttpConfig = z.infer<typeof ingestHttpConfigSchema>;

/** Typed configuration of the ingest CLI (no HTTP, no API keys). */
export const ingestCliConfigSchema = kafkaTargetSchema.extend({
  /** Images per produce request. */
  INGEST_CLI_CHUNK: env.int(200, 1),
});
export type IngestCliConfig = z.infer<typeof ingestCliConfigSchema>;

/** The Kafka-facing part of either config. */
export type IngestKafkaTarget = z.infer<typeof kafkaTargetSchema>;
