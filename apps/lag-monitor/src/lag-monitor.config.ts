import { z } from 'zod';
import { env } from '@stylestream/config';
import { kafkaEnvSchema } from '@stylestream/kafka';
import { CHAIN_TOPICS } from '@stylestream/schemas';

const list = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((s) => s.split(',').map((x) => x.trim()).filter((x) => x.length > 0));

/** Typed configuration of the lag monitor, validated at boot (every bad variable is named). */
export const lagMonitorConfigSchema = kafkaEnvSchema
  .pick({ KAFKA_BROKERS: true })
  .extend({
    KAFKA_CLIENT_ID: z.string().min(1).default('stylestream-lag-monitor'),
    PORT: env.port(8095),
    HOST: z.string().min(1).default('127.0.0.1'),
    /** Time between two polls of the cluster. */
    LAG_MONITOR_POLL_INTERVAL_MS: env.int(15_000, 100),
    /** Samples in the sliding window of the status evaluator (window length = samples × poll interval). */
    LAG_MONITOR_WINDOW_SAMPLES: env.int(10, 2),
    /** Only these groups (comma-separated); with LAG_MONITOR_GROUP_PREFIXES also empty, every group. */
    LAG_MONITOR_GROUPS: list(''),
    /** Only groups starting with one of these prefixes (comma-separated). */
    LAG_MONITOR_GROUP_PREFIXES: list(''),
    /** Topics whose end offset and freshness are exported even if no reported group consumes them. */
    LAG_MONITOR_WATCH_TOPICS: list(CHAIN_TOPICS.join(',')),
    /** End-offset observations kept per partition for the time-lag estimate (one per poll that saw the end move). */
    LAG_MONITOR_TIME_TABLE_POINTS: env.int(5760, 2),
    /** If set, the monitor writes a Prometheus file_sd target file for itself here and removes it on shutdown. */
    LAG_MONITOR_TARGET_FILE: z.string().min(1).optional(),
  });

export type LagMonitorConfig = z.infer<typeof lagMonitorConfigSchema>;
