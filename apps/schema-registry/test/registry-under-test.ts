import { Kafka, logLevel } from 'kafkajs';
import { createLogger } from '@stylestream/logging';
import { stack, uniqueName } from '@stylestream/test-support';
import { schemaRegistryConfigSchema } from '../src/schema-registry.config';
import { RunningSchemaRegistry, startSchemaRegistry } from '../src/start-schema-registry';

/**
 * Medium tier helper: an in-process registry on port 0 over the real dev Kafka
 * (KAFKA_BROKERS, default 127.0.0.1:9092), each test file on its own schemas topic.
 */
export function startTestRegistry(topic: string, env: Record<string, string> = {}): Promise<RunningSchemaRegistry> {
  const config = schemaRegistryConfigSchema.parse({
    KAFKA_BROKERS: stack.brokers.join(','),
    PORT: '0',
    SCHEMAS_TOPIC: topic,
    SCHEMA_REGISTRY_TIMEOUT_MS: '20000',
    ...env,
  });
  return startSchemaRegistry(config, { logger: createLogger('schema-registry-test', process.env.LOG_LEVEL ?? 'warn') });
}

export const uniqueSchemasTopic = (): string => uniqueName('_schemas-test');

export function testKafka(): Kafka {
  return new Kafka({ clientId: 'schema-registry-test', brokers: stack.brokers, logLevel: logLevel.NOTHING });
}

/** Deletes test topics; failures only leave litter behind, so they are ignored. */
export async function deleteTopics(topics: string[]): Promise<void> {
  const admin = testKafka().admin();
  try {
    await admin.connect();
    await admin.deleteTopics({ topics, timeout: 10_000 });
  } catch {
    // best effort
  } finally {
    await admin.disconnect();
  }
}

export const REGISTRY_CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

/** A JSON request to the registry; returns status and parsed body. */
export async function call(
  url: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': REGISTRY_CONTENT_TYPE },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}
