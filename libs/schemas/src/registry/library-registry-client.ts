import * as avro from 'avsc';
import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { InvalidInputError } from '@stylestream/errors';
import type { RegistryClientPort } from './registry-client.port';

/** Where and how to reach the registry. */
export interface RegistryConnectionOptions {
  /** Base URL, e.g. http://127.0.0.1:8081 (SCHEMA_REGISTRY_URL). */
  url: string;
  /** Optional basic auth. */
  auth?: { username: string; password: string };
  /** Retries of the HTTP client for 5xx/network errors before the gateway reports the registry unavailable (default 2). */
  retries?: number;
}

/** RegistryClientPort over @kafkajs/confluent-schema-registry 3.9 (which caches ids and schemas and coalesces concurrent lookups). */
export function libraryRegistryClient(options: RegistryConnectionOptions): RegistryClientPort {
  const registry = new SchemaRegistry({
    host: options.url,
    ...(options.auth === undefined ? {} : { auth: options.auth }),
    retry: { retries: options.retries ?? 2, initialRetryTimeInSecs: 0.1, maxRetryTimeInSecs: 2 },
  });
  return {
    async register(subject, schemaJson) {
      // BACKWARD is also the library's default: on a subject's first registration it sets it; later it checks it matches.
      const { id } = await registry.register({ type: SchemaType.AVRO, schema: schemaJson }, { subject, compatibility: COMPATIBILITY.BACKWARD });
      return id;
    },
    async getAvroType(schemaId) {
      const schema: unknown = await registry.getSchema(schemaId);
      if (!(schema instanceof avro.Type)) {
        throw new InvalidInputError(`schema id ${schemaId} is not an Avro schema`, 'SCHEMA_NOT_AVRO');
      }
      return schema;
    },
  };
}
