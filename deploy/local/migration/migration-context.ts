import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { KafkaModelRegistry } from '@stylestream/model';
import { StackLayout } from '../stack-layout';
import { readTopology } from '../stack-services';
import { clientEnvironment, loadStackSettings } from '../stack-settings';
import { chainTopics, type ChainTopics } from './migration-plan';

/** What every `npm run model` command works with: the stack's addresses, the chain's topic names and the registry. */
export interface MigrationContext {
  readonly repoDir: string;
  readonly dist: (...parts: string[]) => string;
  readonly modelsDir: string;
  readonly clientEnv: { readonly KAFKA_BROKERS: string; readonly SCHEMA_REGISTRY_URL: string };
  readonly brokers: string[];
  readonly kafka: Kafka;
  readonly topics: ChainTopics;
  readonly registry: KafkaModelRegistry;
  readonly say: (text?: string) => void;
}

/**
 * Addresses: KAFKA_BROKERS / SCHEMA_REGISTRY_URL when set, else the local
 * stack's (the same STACK_* settings the demo uses). `topic` renames the chain
 * topics and the registry like the demo's --topic (tests).
 */
export function migrationContext(topic: string | undefined, modelsDir?: string): MigrationContext {
  const settings = loadStackSettings();
  const stackEnv = clientEnvironment(settings, readTopology(new StackLayout(settings.stackDir)).brokers);
  const clientEnv = {
    KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? stackEnv.KAFKA_BROKERS ?? '127.0.0.1:9092',
    SCHEMA_REGISTRY_URL: process.env.SCHEMA_REGISTRY_URL ?? stackEnv.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081',
  };
  const brokers = clientEnv.KAFKA_BROKERS.split(',');
  const kafka = new Kafka({ clientId: 'stylestream-model-cli', brokers, logLevel: logLevel.NOTHING });
  const topics = chainTopics(topic);
  return {
    repoDir: settings.repoDir,
    dist: (...parts) => join(settings.repoDir, 'dist', ...parts),
    modelsDir: modelsDir ?? join(settings.repoDir, 'models'),
    clientEnv,
    brokers,
    kafka,
    topics,
    registry: new KafkaModelRegistry(kafka, topics.registry),
    say: (text = '') => {
      process.stdout.write(`${text}\n`);
    },
  };
}
