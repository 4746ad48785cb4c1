import { z } from 'zod';
import { env, loadConfig } from '@stylestream/config';

/** Environment of `npm run schemas`. */
export const schemasCliConfigSchema = z.object({
  SCHEMA_REGISTRY_URL: env.url('http://127.0.0.1:8081'),
  /** Optional basic-auth credentials `user:password` (Confluent's basic.auth.user.info). */
  SCHEMA_REGISTRY_USER_INFO: z
    .string()
    .regex(/^[^:]+:.*$/, 'user:password')
    .optional(),
});

export type SchemasCliConfig = z.infer<typeof schemasCliConfigSchema>;

export function loadSchemasCliConfig(environment: NodeJS.ProcessEnv = process.env): SchemasCliConfig {
  return loadConfig(schemasCliConfigSchema, environment);
}

/** Basic-auth credentials from `user:password`, or undefined. */
export function authOf(userInfo: string | undefined): { username: string; password: string } | undefined {
  if (userInfo === undefined) return undefined;
  const at = userInfo.indexOf(':');
  return { username: userInfo.slice(0, at), password: userInfo.slice(at + 1) };
}
