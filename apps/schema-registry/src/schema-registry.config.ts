import { z } from 'zod';
import { env } from '@stylestream/config';

/** `user:pass[,user2:pass2]` → list of credentials; empty or unset → auth off. */
const basicAuthUsers = z
  .string()
  .default('')
  .transform((s) => s.split(',').map((x) => x.trim()).filter((x) => x.length > 0))
  .pipe(
    z.array(
      z.string().regex(/^[^:]+:.+$/, 'each entry must be user:password'),
    ),
  );

/** Environment of the schema registry app, validated at boot. */
export const schemaRegistryConfigSchema = z.object({
  KAFKA_BROKERS: env.csv('127.0.0.1:9092'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: env.port(8081),
  SCHEMAS_TOPIC: z.string().regex(/^[a-zA-Z0-9._-]{1,249}$/, 'a Kafka topic name').default('_schemas'),
  SCHEMAS_TOPIC_REPLICATION_FACTOR: env.int(1, 1),
  SCHEMA_REGISTRY_TIMEOUT_MS: env.int(30_000, 100),
  SCHEMA_REGISTRY_BASIC_AUTH: basicAuthUsers,
});

export type SchemaRegistryConfig = z.infer<typeof schemaRegistryConfigSchema>;
