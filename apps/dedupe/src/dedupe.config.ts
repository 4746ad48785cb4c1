import { z } from 'zod';
import { env } from '@stylestream/config';
import { kafkaEnvSchema } from '@stylestream/kafka';
import { NEAR_RULES, type DedupeThresholds } from './dedupe.classifier';
import type { DedupeStateOptions } from './dedupe-state';
import { parseModelVersions } from './vector-input.policy';

const topicName = z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be a valid Kafka topic name');

/** Typed configuration of the dedupe stage, validated at boot. */
export const dedupeConfigSchema = kafkaEnvSchema.extend({
  KAFKA_CLIENT_ID: z.string().min(1).default('stylestream-dedupe'),
  KAFKA_GROUP_ID: z.string().min(1).default('dedupe'),
  SCHEMA_REGISTRY_URL: env.url('http://127.0.0.1:8081'),
  /**
   * Largest crop-aware pHash Hamming distance that counts as near-duplicate evidence (see DEDUPE_NEAR_RULE).
   * Unset: the calibrated default of the rule (TIERED_DEFAULTS for `tiered`, LEGACY_DEFAULTS for the others),
   * from `npm run bench -- dedupe` (docs/BENCHMARKS.md) in the 1280-d space of the default model
   * (mobilenet-v2-nsfwjs); other spaces need their own values.
   */
  DEDUPE_PHASH_MAX_DISTANCE: z.coerce.number().int().min(0).max(64).optional(),
  /** Smallest cosine similarity that is a near-duplicate on its own (between candidates of the same model version). Unset: the rule's default. */
  DEDUPE_COSINE_MIN: z.coerce.number().min(-1).max(1).optional(),
  /**
   * `tiered` rule: largest crop-aware distance of the 256-bit fine hashes (vector-extracted `fineHashes`) that is
   * hash evidence; images without fine hashes fall back to DEDUPE_PHASH_MAX_DISTANCE on the 64-bit hashes.
   */
  DEDUPE_FINE_MAX_DISTANCE: z.coerce.number().int().min(0).max(256).default(20),
  /** `tiered` rule: smallest cosine that, with hash evidence, is a near-duplicate. */
  DEDUPE_COSINE_MIN_WITH_PHASH: z.coerce.number().min(-1).max(1).default(0.5),
  /** `tiered` (default): (pHash ≤ max AND cosine ≥ min-with-phash) OR cosine ≥ min; the others: see dedupe.classifier.ts. */
  DEDUPE_NEAR_RULE: z.enum(NEAR_RULES).default('tiered'),
  /**
   * Canonicals nearest by vector (in-memory HNSW over the state's canonical vectors) added to the pHash band
   * candidates of every lookup; 0 turns the vector lookup off (band candidates only, no graph in memory).
   */
  DEDUPE_VECTOR_CANDIDATES: z.coerce.number().int().min(0).max(1000).default(10),
  /** HNSW parameters of that lookup (graph degree, build list, search list; search list is raised to k). */
  DEDUPE_HNSW_M: z.coerce.number().int().min(2).max(128).default(16),
  DEDUPE_HNSW_EF_CONSTRUCTION: z.coerce.number().int().min(10).max(2000).default(100),
  DEDUPE_HNSW_EF: z.coerce.number().int().min(1).max(5000).default(64),
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
  /**
   * Records of a version not in DEDUPE_MODELS: `dead-letter` (an unknown version is bad input) or
   * `skip` (another dedupe instance, e.g. a migration's, handles it: counted as skipped, not classified).
   */
  DEDUPE_OTHER_MODELS: z.enum(['dead-letter', 'skip']).default('dead-letter'),
  /** A vector whose L2 norm differs from 1 by more than this is dead-lettered (the space is inner product on unit vectors). */
  DEDUPE_NORM_TOLERANCE: z.coerce.number().min(0).max(1).default(0.001),
  /**
   * Most records of one partition classified per handler call; their changelog records and outputs are
   * written with one acknowledged request each (per ~512 KiB). 1 = one record at a time. Decisions do not
   * depend on it (docs/DESIGN.md §10, "Batches").
   */
  DEDUPE_BATCH_MAX_MESSAGES: env.int(32, 1),
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

/** Defaults of the `tiered` rule (calibrated with crop hashes and vector candidates on). */
export const TIERED_DEFAULTS = { maxHammingDistance: 2, minCosine: 0.98 } as const;
/** Defaults of the other rules (the calibration of the band-only classifier; deployments that pin such a rule keep them). */
export const LEGACY_DEFAULTS = { maxHammingDistance: 2, minCosine: 0.96 } as const;

/** The near-duplicate thresholds of a config. */
export function dedupeThresholds(config: DedupeConfig): DedupeThresholds {
  const defaults = config.DEDUPE_NEAR_RULE === 'tiered' ? TIERED_DEFAULTS : LEGACY_DEFAULTS;
  return {
    maxHammingDistance: config.DEDUPE_PHASH_MAX_DISTANCE ?? defaults.maxHammingDistance,
    minCosine: config.DEDUPE_COSINE_MIN ?? defaults.minCosine,
    minCosineWithPhash: config.DEDUPE_COSINE_MIN_WITH_PHASH,
    maxFineDistance: config.DEDUPE_FINE_MAX_DISTANCE,
    rule: config.DEDUPE_NEAR_RULE,
  };
}

/** The candidate lookup options of a config. */
export function dedupeStateOptions(config: DedupeConfig): DedupeStateOptions {
  return {
    vectorCandidates: config.DEDUPE_VECTOR_CANDIDATES,
    vectorIndex: { m: config.DEDUPE_HNSW_M, efConstruction: config.DEDUPE_HNSW_EF_CONSTRUCTION, ef: config.DEDUPE_HNSW_EF },
  };
}
