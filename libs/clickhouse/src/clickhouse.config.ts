import { z } from 'zod';
import { env, loadConfig } from '@stylestream/config';

/**
 * CLICKHOUSE_* variables. Without CLICKHOUSE_URL the embedded engine (chdb)
 * runs in-process on CLICKHOUSE_DATA_DIR; with it, a server or cluster is
 * used over HTTP with CLICKHOUSE_USER / CLICKHOUSE_PASSWORD.
 */
export const clickHouseEnvSchema = z.object({
  CLICKHOUSE_URL: z.string().url().optional(),
  CLICKHOUSE_USER: z.string().min(1).default('default'),
  CLICKHOUSE_PASSWORD: z.string().default(''),
  CLICKHOUSE_DATABASE: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a plain identifier').default('default'),
  CLICKHOUSE_DATA_DIR: z.string().min(1).default('.data/clickhouse'),
  CLICKHOUSE_REQUEST_TIMEOUT_MS: env.int(30_000, 100),
});
export type ClickHouseEnv = z.infer<typeof clickHouseEnvSchema>;

/** Which connection the client uses; chosen once at boot. */
export type ClickHouseConnectionConfig =
  | { readonly kind: 'embedded'; readonly path: string }
  | {
      readonly kind: 'http';
      readonly url: string;
      readonly username: string;
      readonly password: string;
      readonly database: string;
      readonly requestTimeoutMs: number;
    };

export function toClickHouseConfig(vars: ClickHouseEnv): ClickHouseConnectionConfig {
  if (vars.CLICKHOUSE_URL === undefined) return { kind: 'embedded', path: vars.CLICKHOUSE_DATA_DIR };
  return {
    kind: 'http',
    url: vars.CLICKHOUSE_URL,
    username: vars.CLICKHOUSE_USER,
    password: vars.CLICKHOUSE_PASSWORD,
    database: vars.CLICKHOUSE_DATABASE,
    requestTimeoutMs: vars.CLICKHOUSE_REQUEST_TIMEOUT_MS,
  };
}

/** Reads and validates CLICKHOUSE_* (ConfigError naming every bad variable). */
export function loadClickHouseConfig(source: NodeJS.ProcessEnv = process.env): ClickHouseConnectionConfig {
  return toClickHouseConfig(loadConfig(clickHouseEnvSchema, source));
}
