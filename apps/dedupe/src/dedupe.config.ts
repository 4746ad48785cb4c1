import { z } from 'zod';
import { env } from '@stylestream/config';
import { kafkaEnvSchema } from '@stylestream/kafka';
import { NEAR_RULES } from './dedupe.classifier';
import { parseModelVersions } from './vector-input.policy';

const topicName = z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be a valid Kafka topic name');

/** Typed configuration of the dedupe stage, validated at boot. */
export const dedupeConfigSchema = kafkaEnvSchema.extend({
  KAFKA_CLIENT_ID: z.string().min(1).default('stylestream-dedupe'),
  KAFKA_GROUP_ID: z.string().min(1).default('dedupe'),
  SCHEMA_REGISTRY_URL: env.url('http://127.0.0.1:8081'),
  /**
   * Largest pHash Hamming distance counted as near-duplicate; recall through the band index is guaranteed up to 3.
   * Default calibrated by `npm run bench -- dedupe` (docs/BENCHMARKS.md): 3 lets 1.7 % of distinct photos
   * on a shared backdrop through, 2 keeps false positives under 1 %.
   */
  DEDUPE_PHASH_MAX_DISTANCE: z.coerce.number().int().min(0).max(64).default(2),
  /**
   * Smallest cosine similarity counted as near-duplicate (between band candidates of the same model version).
   * Calibrated for the 1280-d space of the default model (mobilenet-v2-nsfwjs); other spaces need their own value.
   */
  DEDUPE_COSINE_MIN: z.coerce.number().min(-1).max(1).default(0.96),
  DEDUPE_NEAR_RULE: z.enum(NEAR_RULES).default('phash-or-cosine'),
  /** Known model versions, `version` or `version=dim`, comma-separated; records of any other version are dead-lettered. */
  DEDUPE_MODELS: z
    .string()
    .default('1.0.0=256')
    .transform((csv, ctx) => {
      try {
        return parseModelVersions(csv);
      } catch (err) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: err instanceof Error ? err.message : String(err) });
        return z.NEVER;
      }
    }),
  /** A vector whose L2 norm differs from 1 by more than this is dead-lettered (the space is inner product on unit vectors). */
  DEDUPE_NORM_TOLERANCE: z.coerce.number().min(0).max(1).default(0.001),
  /** The compacted state changelog (created if missing, cleanup.policy=compact). */
  DEDUPE_STATE_TOPIC: topicName.default('dedupe-state'),
  DEDUPE_STATE_PARTITIONS: env.int(6, 1),
  /** Startup fails if the changelog cannot be read to its end within this time. */
  DEDUPE_RESTORE_TIMEOUT_MS: env.int(300_000, 1_000),
  /** Topic overrides (tests use unique topics). */
  DEDUPE_TOPIC_VECTOR_EXTRACTED: topicName.default('vector-extracted'),
  DEDUPE_TOPIC_VECTOR_CLEANED: topicName.default('vector-cleaned'),
  /** Operations port: GET /metrics, /healthz, /readyz (ready once the state is restored and the consumer runs). */
  DEDUPE_HTTP_PORT: env.port(8098),
  DEDUPE_HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  /** If set, a Prometheus file_sd target file naming this process (label app=dedupe) is written here and removed on stop. */
  DEDUPE_TARGET_FILE: z.string().min(1).optional(),
});
export type DedupeConfig = z.infer<typeof dedupeConfigSchema>;
