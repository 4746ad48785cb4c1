import type { AddressInfo } from 'node:net';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createLogger, Logger } from '@stylestream/logging';
import { RegistryService } from './domain/registry.service';
import { RegistryState } from './domain/registry-state';
import { BasicAuthGuard } from './http/basic-auth.guard';
import { ACCEPTED_BODY_TYPES } from './http/content-type';
import { RegistryExceptionFilter } from './http/registry-exception.filter';
import { SchemaRegistryHttpModule } from './http/schema-registry-http.module';
import { exposeRegistryMetrics } from './registry-metrics';
import type { SchemaRegistryConfig } from './schema-registry.config';
import { KafkaSchemaLog } from './store/kafka-schema-log';
import type { SchemaLog } from './store/schema-log';

export interface RunningSchemaRegistry {
  /** Base URL, e.g. http://127.0.0.1:8081 (the real port when PORT was 0). */
  readonly url: string;
  readonly log: SchemaLog;
  /** Stops HTTP, then the log tail and writer. Idempotent. */
  close(): Promise<void>;
}

export interface StartOptions {
  readonly logger?: Logger;
  /** Replaces the Kafka log (tests). */
  readonly log?: SchemaLog;
}

/**
 * Starts a registry: replays the schemas log into memory (resolving only once
 * caught up), then serves HTTP. Rejects if the log cannot be opened.
 */
export async function startSchemaRegistry(config: SchemaRegistryConfig, options: StartOptions = {}): Promise<RunningSchemaRegistry> {
  const logger = options.logger ?? createLogger('schema-registry');
  const state = new RegistryState();
  const log =
    options.log ??
    new KafkaSchemaLog({
      brokers: config.KAFKA_BROKERS,
      topic: config.SCHEMAS_TOPIC,
      replicationFactor: config.SCHEMAS_TOPIC_REPLICATION_FACTOR,
      timeoutMs: config.SCHEMA_REGISTRY_TIMEOUT_MS,
      logger,
    });
  try {
    await log.open((record) => state.apply(record));
  } catch (err) {
    await log.close();
    throw err;
  }
  exposeRegistryMetrics(state, log);
  const registry = new RegistryService(state, log);
  let app: NestExpressApplication;
  try {
    app = await NestFactory.create<NestExpressApplication>(SchemaRegistryHttpModule.with(registry, log), {
      bodyParser: false,
      logger: ['error', 'warn'],
    });
    app.useBodyParser('json', { type: ACCEPTED_BODY_TYPES, limit: '16mb' });
    app.useGlobalGuards(new BasicAuthGuard(config.SCHEMA_REGISTRY_BASIC_AUTH));
    app.useGlobalFilters(new RegistryExceptionFilter(logger));
    await app.listen(config.PORT, config.HOST);
  } catch (err) {
    await log.close();
    throw err;
  }
  const address = app.getHttpServer().address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  logger.info({ url, topic: config.SCHEMAS_TOPIC, auth: config.SCHEMA_REGISTRY_BASIC_AUTH.length > 0 }, 'schema registry listening');
  let closing: Promise<void> | undefined;
  return {
    url,
    log,
    close: () => {
      closing ??= (async () => {
        await app.close();
        await log.close();
      })();
      return closing;
    },
  };
}
