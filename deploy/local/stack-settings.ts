import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { env, loadConfig } from '@stylestream/config';
import { lookupUser, untraversableAncestor } from './process/run-as-user';

/** Versions the local stack installs; the design notes say why each was chosen. */
export const STACK_VERSIONS = {
  kafka: '4.4.0',
  log4j: '2.24.3',
  elasticsearch: '8.19.21',
} as const;

const schema = z.object({
  STACK_DIR: z.string().min(1).optional(),
  STACK_KAFKA_PORT: env.port(9092),
  STACK_KAFKA_CONTROLLER_PORT: env.port(19093),
  STACK_KAFKA_PORT_STEP: env.int(100, 1),
  STACK_KAFKA_HEAP: z.string().regex(/^\d+[mg]$/).default('512m'),
  STACK_KAFKA_AUTO_CREATE_TOPICS: env.bool(false),
  STACK_SCHEMA_REGISTRY_PORT: env.port(8081),
  STACK_ELASTICSEARCH_PORT: env.port(9200),
  STACK_ELASTICSEARCH_TRANSPORT_PORT: env.port(9300),
  STACK_ELASTICSEARCH_HEAP: z.string().regex(/^\d+[mg]$/).default('512m'),
  STACK_ELASTICSEARCH_USER: z.string().min(1).default('nobody'),
  STACK_JVM_C1_ONLY: env.bool(true),
  STACK_KAFKA_START_DEADLINE_S: env.int(90, 1),
  STACK_ELASTICSEARCH_START_DEADLINE_S: env.int(90, 1),
  STACK_SCHEMA_REGISTRY_START_DEADLINE_S: env.int(45, 1),
  STACK_PROMETHEUS_PORT: env.port(9090),
  STACK_ALERTMANAGER_PORT: env.port(9093),
});

/** Typed settings of the local stack, read once from the environment. */
export interface StackSettings {
  /** Repository root (holds package.json, alerts/, deploy/). */
  readonly repoDir: string;
  /** Git-ignored home of everything the stack installs, stores, logs and runs. */
  readonly stackDir: string;
  readonly kafka: {
    readonly port: number;
    readonly controllerPort: number;
    /** Broker i (1-based) listens on port + (i-1)*step, controller likewise. */
    readonly portStep: number;
    readonly heap: string;
    readonly autoCreateTopics: boolean;
    /** How long `stack up` waits for each node to turn healthy before it stops it and fails, ms. */
    readonly startDeadlineMs: number;
  };
  /** startDeadlineMs: how long `stack up` waits for the registry's health (it replays `_schemas` first), ms. */
  readonly schemaRegistry: { readonly port: number; readonly startDeadlineMs: number };
  readonly elasticsearch: {
    readonly port: number;
    readonly transportPort: number;
    readonly heap: string;
    /** Elasticsearch refuses to run as root; when we are root it runs as this user. */
    readonly runAsUser: string;
    /**
     * How long `stack up` waits for cluster health yellow/green before it stops
     * Elasticsearch and fails, ms. 90 s covers an idle 2-core machine (~20 s);
     * a heavily loaded one needs more (the chaos run's private stack uses 600 s).
     */
    readonly startDeadlineMs: number;
  };
  /**
   * Run the JVMs (Kafka, Elasticsearch) with the C1 compiler only: half the CPU
   * and startup time on 2 cores, lower peak throughput. Set false for benchmarks.
   */
  readonly jvmC1Only: boolean;
  readonly prometheus: { readonly port: number };
  readonly alertmanager: { readonly port: number };
}

/** Walks up from `start` to the first directory holding package.json. */
export function findRepoDir(start: string = __dirname): string {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${start}`);
    dir = parent;
  }
}

/**
 * `<repo>/.stack`, unless we are root and Elasticsearch's user cannot enter the
 * repository (a clone under /root): then a per-repository folder under /var/tmp,
 * so `npm test` works from any clone without setting STACK_DIR.
 */
export function defaultStackDir(repoDir: string, esUser: string): string {
  const inRepo = resolve(repoDir, '.stack');
  if (process.getuid?.() !== 0) return inRepo;
  let blocked: string | undefined;
  try {
    blocked = untraversableAncestor(repoDir, lookupUser(esUser));
  } catch {
    return inRepo;
  }
  if (blocked === undefined) return inRepo;
  const tag = createHash('sha256').update(repoDir).digest('hex').slice(0, 10);
  return join('/var/tmp', `stylestream-stack-${tag}`);
}

/** Reads the stack settings; a bad variable throws a ConfigError naming it. */
export function loadStackSettings(environment: NodeJS.ProcessEnv = process.env, repoDir = findRepoDir()): StackSettings {
  const c = loadConfig(schema, environment);
  return {
    repoDir,
    stackDir: c.STACK_DIR === undefined ? defaultStackDir(repoDir, c.STACK_ELASTICSEARCH_USER) : resolve(repoDir, c.STACK_DIR),
    kafka: {
      port: c.STACK_KAFKA_PORT,
      controllerPort: c.STACK_KAFKA_CONTROLLER_PORT,
      portStep: c.STACK_KAFKA_PORT_STEP,
      heap: c.STACK_KAFKA_HEAP,
      autoCreateTopics: c.STACK_KAFKA_AUTO_CREATE_TOPICS,
      startDeadlineMs: c.STACK_KAFKA_START_DEADLINE_S * 1000,
    },
    schemaRegistry: { port: c.STACK_SCHEMA_REGISTRY_PORT, startDeadlineMs: c.STACK_SCHEMA_REGISTRY_START_DEADLINE_S * 1000 },
    elasticsearch: {
      port: c.STACK_ELASTICSEARCH_PORT,
      transportPort: c.STACK_ELASTICSEARCH_TRANSPORT_PORT,
      heap: c.STACK_ELASTICSEARCH_HEAP,
      runAsUser: c.STACK_ELASTICSEARCH_USER,
      startDeadlineMs: c.STACK_ELASTICSEARCH_START_DEADLINE_S * 1000,
    },
    jvmC1Only: c.STACK_JVM_C1_ONLY,
    prometheus: { port: c.STACK_PROMETHEUS_PORT },
    alertmanager: { port: c.STACK_ALERTMANAGER_PORT },
  };
}

/** Client and controller ports of Kafka node `nodeId` (1-based). */
export function kafkaNodePorts(settings: StackSettings, nodeId: number): { port: number; controllerPort: number } {
  const offset = (nodeId - 1) * settings.kafka.portStep;
  return { port: settings.kafka.port + offset, controllerPort: settings.kafka.controllerPort + offset };
}

/** The addresses clients use, under the names test/support and the apps read. */
export function clientEnvironment(settings: StackSettings, brokers: number): Record<string, string> {
  const bootstrap = Array.from({ length: brokers }, (_, i) => `127.0.0.1:${kafkaNodePorts(settings, i + 1).port}`);
  return {
    KAFKA_BROKERS: bootstrap.join(','),
    SCHEMA_REGISTRY_URL: `http://127.0.0.1:${settings.schemaRegistry.port}`,
    ELASTICSEARCH_URL: `http://127.0.0.1:${settings.elasticsearch.port}`,
    PROMETHEUS_URL: `http://127.0.0.1:${settings.prometheus.port}`,
    ALERTMANAGER_URL: `http://127.0.0.1:${settings.alertmanager.port}`,
  };
}
