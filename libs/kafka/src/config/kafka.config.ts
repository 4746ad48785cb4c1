import { z } from 'zod';
import { env, loadConfig } from '@stylestream/config';
import { ConfigError } from '@stylestream/errors';
import { RETRY_POLICIES, RetryPolicy } from '../delivery/retry-policy';

const optionalNumber = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().min(min).max(max).optional();

/**
 * Environment variables of the Kafka library. Apps extend this object with
 * their own fields (`kafkaEnvSchema.extend({...})`) so one `loadConfig` call
 * reports every bad variable by name, then map with `toKafkaConfig`.
 */
export const kafkaEnvSchema = z.object({
  /** Comma-separated bootstrap brokers. */
  KAFKA_BROKERS: env.csv('127.0.0.1:9092'),
  KAFKA_CLIENT_ID: z.string().min(1).default('stylestream'),
  /** Consumer group of the stage; apps usually default it to the stage name. */
  KAFKA_GROUP_ID: z.string().min(1).default('stylestream'),
  /** Partitions handled in parallel by one consumer (messages within a partition stay in order). */
  KAFKA_PARTITIONS_CONCURRENCY: env.int(4, 1),
  KAFKA_MAX_BYTES_PER_PARTITION: env.int(1_048_576, 1024),
  KAFKA_MAX_WAIT_MS: env.int(500, 0),
  KAFKA_SESSION_TIMEOUT_MS: env.int(30_000, 6_000),
  KAFKA_HEARTBEAT_INTERVAL_MS: env.int(3_000, 100),
  /** Named retry profile (default | test); the KAFKA_RETRY_* variables override single fields. */
  KAFKA_RETRY_PROFILE: z.enum(Object.keys(RETRY_POLICIES) as [keyof typeof RETRY_POLICIES]).default('default'),
  KAFKA_RETRY_INITIAL_DELAY_MS: optionalNumber(0),
  KAFKA_RETRY_MAX_DELAY_MS: optionalNumber(0),
  KAFKA_RETRY_MULTIPLIER: optionalNumber(1),
  KAFKA_RETRY_MAX_ATTEMPTS: z.coerce.number().int().min(1).optional(),
  KAFKA_RETRY_JITTER: optionalNumber(0, 1),
  /** Deadline for graceful shutdown: finish in-flight messages, commit, leave the group. */
  KAFKA_SHUTDOWN_TIMEOUT_MS: env.int(10_000, 100),
  /** Client-level retries of a produce request before send() fails with DependencyUnavailableError. */
  KAFKA_PRODUCER_RETRIES: env.int(8, 1),
  /** Defaults for topic provisioning. */
  KAFKA_TOPIC_PARTITIONS: env.int(6, 1),
  KAFKA_REPLICATION_FACTOR: env.int(1, 1),
});

export type KafkaEnv = z.infer<typeof kafkaEnvSchema>;

/** The typed Kafka configuration an app passes to KafkaModule / the clients. */
export interface KafkaConfig {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly groupId: string;
  readonly consumer: {
    readonly partitionsConcurrency: number;
    readonly maxBytesPerPartition: number;
    readonly maxWaitTimeMs: number;
    readonly sessionTimeoutMs: number;
    readonly heartbeatIntervalMs: number;
  };
  readonly retryPolicy: RetryPolicy;
  readonly shutdownTimeoutMs: number;
  readonly producerRetries: number;
  readonly topicDefaults: { readonly partitions: number; readonly replicationFactor: number };
}

/** Maps validated variables to the typed configuration; throws ConfigError naming bad combinations. */
export function toKafkaConfig(vars: KafkaEnv): KafkaConfig {
  const problems = kafkaEnvProblems(vars);
  if (problems.length > 0) throw new ConfigError(problems.map((p) => `${p.variable}: ${p.message}`));
  const base = RETRY_POLICIES[vars.KAFKA_RETRY_PROFILE];
  const retryPolicy: RetryPolicy = {
    initialDelayMs: vars.KAFKA_RETRY_INITIAL_DELAY_MS ?? base.initialDelayMs,
    maxDelayMs: vars.KAFKA_RETRY_MAX_DELAY_MS ?? base.maxDelayMs,
    multiplier: vars.KAFKA_RETRY_MULTIPLIER ?? base.multiplier,
    maxAttempts: vars.KAFKA_RETRY_MAX_ATTEMPTS ?? base.maxAttempts,
    jitter: vars.KAFKA_RETRY_JITTER ?? base.jitter,
  };
  return {
    brokers: vars.KAFKA_BROKERS,
    clientId: vars.KAFKA_CLIENT_ID,
    groupId: vars.KAFKA_GROUP_ID,
    consumer: {
      partitionsConcurrency: vars.KAFKA_PARTITIONS_CONCURRENCY,
      maxBytesPerPartition: vars.KAFKA_MAX_BYTES_PER_PARTITION,
      maxWaitTimeMs: vars.KAFKA_MAX_WAIT_MS,
      sessionTimeoutMs: vars.KAFKA_SESSION_TIMEOUT_MS,
      heartbeatIntervalMs: vars.KAFKA_HEARTBEAT_INTERVAL_MS,
    },
    retryPolicy,
    shutdownTimeoutMs: vars.KAFKA_SHUTDOWN_TIMEOUT_MS,
    producerRetries: vars.KAFKA_PRODUCER_RETRIES,
    topicDefaults: { partitions: vars.KAFKA_TOPIC_PARTITIONS, replicationFactor: vars.KAFKA_REPLICATION_FACTOR },
  };
}

/** Cross-field problems of the Kafka variables, each naming the variable to fix. */
export function kafkaEnvProblems(vars: KafkaEnv): { variable: keyof KafkaEnv; message: string }[] {
  const problems: { variable: keyof KafkaEnv; message: string }[] = [];
  const base = RETRY_POLICIES[vars.KAFKA_RETRY_PROFILE];
  const initial = vars.KAFKA_RETRY_INITIAL_DELAY_MS ?? base.initialDelayMs;
  const max = vars.KAFKA_RETRY_MAX_DELAY_MS ?? base.maxDelayMs;
  if (max < initial) {
    problems.push({ variable: 'KAFKA_RETRY_MAX_DELAY_MS', message: `must be ≥ the initial delay (${initial} ms)` });
  }
  if (vars.KAFKA_HEARTBEAT_INTERVAL_MS * 3 > vars.KAFKA_SESSION_TIMEOUT_MS) {
    problems.push({ variable: 'KAFKA_HEARTBEAT_INTERVAL_MS', message: 'must be at most a third of KAFKA_SESSION_TIMEOUT_MS' });
  }
  return problems;
}

/** Cross-field checks inside the schema, reported by variable name like any other config problem. */
export const kafkaEnvSchemaChecked = kafkaEnvSchema.superRefine((vars, ctx) => {
  for (const problem of kafkaEnvProblems(vars)) {
    ctx.addIssue({ code: 'custom', path: [problem.variable], message: problem.message });
  }
});

/** Reads and validates the Kafka variables; throws ConfigError listing every bad one. */
export function loadKafkaConfig(source: NodeJS.ProcessEnv = process.env): KafkaConfig {
  return toKafkaConfig(loadConfig(kafkaEnvSchemaChecked, source));
}
