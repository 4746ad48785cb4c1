import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { Logger } from 'pino';
import { TopicProvisioner, chainTopicSpecs, loadKafkaConfig, uncommittedRecords, type ProvisionResult } from '@stylestream/kafka';
import { MODEL_REGISTRY_TOPIC } from '@stylestream/model';
import { TOPICS } from '@stylestream/schemas';
import type { DemoAppLaunch } from './demo-app.process';

/** Ports of the apps the demo starts (defaults: the apps' own). */
export interface DemoPorts {
  ingest: number;
  catalog: number;
  analytics: number;
  lagMonitor: number;
  /** The search API (search by image over the index-writer). */
  search: number;
  /** The index-writer's k-NN endpoint (the search API's shard owner). */
  index: number;
}

/** The names the chain apps use in one demo run. */
export interface DemoNaming {
  topics: { imageArrived: string; vectorExtracted: string; vectorCleaned: string; indexUpdated: string };
  groups: { extractor: string; dedupe: string; indexWriter: string; catalog: string; analytics: string };
  /** dedupe's compacted state changelog (dedupe creates it). */
  dedupeStateTopic: string;
  /** The model registry the search API follows (active version; `npm run model` writes it). */
  registryTopic: string;
  /** The index-writer's shard folder (offsets live in its snapshots, so it goes with the group). */
  indexDataDir: string;
  catalogAlias: string;
  catalogShardsIndex: string;
  clickHouseDir: string;
  /** Prefix of the file_sd target files the demo writes (`<prefix><app>.json`). */
  targetPrefix: string;
  /** True with --topic: every name is unique to this run and removed at the end (tests). */
  isolated: boolean;
}

const esName = (text: string): string => text.toLowerCase().replace(/[^a-z0-9._-]/g, '-').replace(/^[^a-z0-9]+/, '');

/**
 * Without --topic: the chain topics, the stages as `demo-extractor`,
 * `demo-dedupe` (with its changelog `demo-dedupe-state`: state and offsets
 * belong together) and `demo-index-writer` on `.data/demo/index`, the catalogue's defaults (group `catalog`,
 * alias `catalog-images`, so `npm run catalog` sees the same catalogue), and
 * analytics on `.data/demo/clickhouse` with its own group `demo-analytics`
 * (offsets and store belong together). With --topic T: `T`, `T.vector-cleaned`,
 * `T.index-updated`, groups `T.catalog`/`T.analytics`, alias `<t>-catalog`
 * and a temporary ClickHouse folder, so parallel tests do not share state;
 * likewise `T.vector-extracted`, groups `T.extractor`/`T.dedupe`/`T.index-writer`,
 * `T.dedupe-state` and a temporary index folder.
 */
export function demoNaming(repoDir: string, topic: string | undefined): DemoNaming {
  if (topic === undefined) {
    return {
      topics: { imageArrived: TOPICS.imageArrived, vectorExtracted: TOPICS.vectorExtracted, vectorCleaned: TOPICS.vectorCleaned, indexUpdated: TOPICS.indexUpdated },
      groups: { extractor: 'demo-extractor', dedupe: 'demo-dedupe', indexWriter: 'demo-index-writer', catalog: 'catalog', analytics: 'demo-analytics' },
      dedupeStateTopic: 'demo-dedupe-state',
      registryTopic: MODEL_REGISTRY_TOPIC,
      indexDataDir: join(repoDir, '.data', 'demo', 'index'),
      catalogAlias: 'catalog-images',
      catalogShardsIndex: 'catalog-shards',
      clickHouseDir: join(repoDir, '.data', 'demo', 'clickhouse'),
      targetPrefix: 'demo-',
      isolated: false,
    };
  }
  const es = esName(topic);
  return {
    topics: { imageArrived: topic, vectorExtracted: `${topic}.vector-extracted`, vectorCleaned: `${topic}.vector-cleaned`, indexUpdated: `${topic}.index-updated` },
    groups: { extractor: `${topic}.extractor`, dedupe: `${topic}.dedupe`, indexWriter: `${topic}.index-writer`, catalog: `${topic}.catalog`, analytics: `${topic}.analytics` },
    dedupeStateTopic: `${topic}.dedupe-state`,
    registryTopic: `${topic}.${MODEL_REGISTRY_TOPIC}`,
    indexDataDir: mkdtempSync(join(tmpdir(), 'stylestream-demo-index-')),
    catalogAlias: `${es}-catalog`,
    catalogShardsIndex: `${es}-catalog-shards`,
    clickHouseDir: mkdtempSync(join(tmpdir(), 'stylestream-demo-clickhouse-')),
    targetPrefix: `demo-${es}-`,
    isolated: true,
  };
}

/**
 * Makes the four chain topics exist (auto-create is off, and the
 * apps' consumers fail at boot on a missing topic): the chain specs with the
 * broker defaults (KAFKA_TOPIC_PARTITIONS, KAFKA_REPLICATION_FACTOR), each
 * with its `.dlq`, renamed when the run is isolated. Idempotent.
 */
export async function provisionDemoTopics(clientEnv: Record<string, string>, naming: DemoNaming, logger: Logger): Promise<ProvisionResult[]> {
  const config = loadKafkaConfig({ ...process.env, ...clientEnv });
  const rename: Record<string, string> = {
    [TOPICS.imageArrived]: naming.topics.imageArrived,
    [TOPICS.vectorExtracted]: naming.topics.vectorExtracted,
    [TOPICS.vectorCleaned]: naming.topics.vectorCleaned,
    [TOPICS.indexUpdated]: naming.topics.indexUpdated,
  };
  const specs = chainTopicSpecs(config.topicDefaults).flatMap((spec) => {
    const topic = rename[spec.topic];
    return topic === undefined ? [] : [{ ...spec, topic }];
  });
  const kafka = new Kafka({ clientId: 'stylestream-demo', brokers: [...config.brokers], logLevel: logLevel.NOTHING });
  return new TopicProvisioner(kafka, logger).ensure(specs);
}

export interface DemoAppsInput {
  dist: (...parts: string[]) => string;
  logDir: string;
  targetsDir: string;
  clientEnv: { KAFKA_BROKERS: string; SCHEMA_REGISTRY_URL: string; ELASTICSEARCH_URL: string };
  naming: DemoNaming;
  ports: DemoPorts;
  /** The embedding model the extractor loads; the index-writer indexes exactly its version and dimension. */
  model: { dir: string; id: string; version: string; dim: number };
  /** API key the search API accepts (x-api-key). */
  apiKey: string;
}

/** The line each stage logs once its consumer runs (libs/kafka StageConsumer). */
const STAGE_READY = 'stage consumer started';

/**
 * extractor, dedupe and index-writer (no HTTP: ready when their consumer
 * starts), then catalog, analytics and the lag monitor, with their
 * environment; the HTTP apps write (or have written) a Prometheus target.
 */
export function chainAppLaunches(input: DemoAppsInput): DemoAppLaunch[] {
  const { dist, logDir, targetsDir, clientEnv, naming, ports, model } = input;
  const kafka = { KAFKA_BROKERS: clientEnv.KAFKA_BROKERS, SCHEMA_REGISTRY_URL: clientEnv.SCHEMA_REGISTRY_URL };
  const target = (app: string): string => join(targetsDir, `${naming.targetPrefix}${app}.json`);
  return [
    {
      name: 'extractor',
      entry: dist('apps', 'extractor', 'src', 'main.js'),
      readyLog: STAGE_READY,
      logFile: join(logDir, 'extractor.log'),
      // Model load and group join; seen past 120 s with seven apps booting on a loaded 2-core machine.
      deadlineMs: 300_000,
      removeOnExit: [target('extractor')],
      env: {
        ...kafka,
        // Operations port: any free one; the extractor writes its own scrape-target file.
        EXTRACTOR_HTTP_PORT: '0',
        EXTRACTOR_TARGET_FILE: target('extractor'),
        KAFKA_GROUP_ID: naming.groups.extractor,
        MODEL_DIR: model.dir,
        MODEL_ID: model.id,
        EXTRACTOR_TOPIC_IMAGE_ARRIVED: naming.topics.imageArrived,
        EXTRACTOR_TOPIC_VECTOR_EXTRACTED: naming.topics.vectorExtracted,
      },
    },
    {
      name: 'dedupe',
      entry: dist('apps', 'dedupe', 'src', 'main.js'),
      readyLog: STAGE_READY,
      logFile: join(logDir, 'dedupe.log'),
      // Restoring a long demo-dedupe-state changelog on a loaded machine took over 120 s.
      deadlineMs: 300_000,
      removeOnExit: [target('dedupe')],
      env: {
        ...kafka,
        // Operations port: any free one (two demos, or a dev dedupe on 8098, must not clash); dedupe writes its own target file.
        DEDUPE_HTTP_PORT: '0',
        DEDUPE_TARGET_FILE: target('dedupe'),
        KAFKA_GROUP_ID: naming.groups.dedupe,
        DEDUPE_MODELS: `${model.version}=${model.dim}`,
        // A migration's vectors of another version pass through the same topics: its own dedupe takes them.
        DEDUPE_OTHER_MODELS: 'skip',
        DEDUPE_STATE_TOPIC: naming.dedupeStateTopic,
        DEDUPE_TOPIC_VECTOR_EXTRACTED: naming.topics.vectorExtracted,
        DEDUPE_TOPIC_VECTOR_CLEANED: naming.topics.vectorCleaned,
      },
    },
    {
      name: 'index-writer',
      entry: dist('apps', 'index-writer', 'src', 'main.js'),
      readyLog: STAGE_READY,
      logFile: join(logDir, 'index-writer.log'),
      // Seen past 120 s with seven apps booting on a loaded 2-core machine.
      deadlineMs: 300_000,
      env: {
        ...kafka,
        KAFKA_GROUP_ID: naming.groups.indexWriter,
        INDEX_DATA_DIR: naming.indexDataDir,
        INDEX_MODEL_VERSION: model.version,
        INDEX_DIM: String(model.dim),
        INDEX_OTHER_MODEL_VERSIONS: 'skip',
        INDEX_HTTP_PORT: String(ports.index),
        INDEX_TOPIC_VECTOR_CLEANED: naming.topics.vectorCleaned,
        INDEX_TOPIC_INDEX_UPDATED: naming.topics.indexUpdated,
      },
    },
    {
      name: 'catalog',
      entry: dist('apps', 'catalog', 'src', 'main.js'),
      port: ports.catalog,
      logFile: join(logDir, 'catalog.log'),
      scrapeTargetFile: target('catalog'),
      env: {
        ...kafka,
        ELASTICSEARCH_URL: clientEnv.ELASTICSEARCH_URL,
        KAFKA_GROUP_ID: naming.groups.catalog,
        CATALOG_ALIAS: naming.catalogAlias,
        CATALOG_SHARDS_INDEX: naming.catalogShardsIndex,
        CATALOG_TOPIC_IMAGE_ARRIVED: naming.topics.imageArrived,
        CATALOG_TOPIC_VECTOR_CLEANED: naming.topics.vectorCleaned,
        CATALOG_TOPIC_INDEX_UPDATED: naming.topics.indexUpdated,
      },
    },
    {
      name: 'analytics',
      entry: dist('apps', 'analytics', 'src', 'main.js'),
      port: ports.analytics,
      logFile: join(logDir, 'analytics.log'),
      scrapeTargetFile: target('analytics'),
      env: {
        ...kafka,
        KAFKA_GROUP_ID: naming.groups.analytics,
        CLICKHOUSE_DATA_DIR: naming.clickHouseDir,
        ANALYTICS_IMAGE_ARRIVED_TOPIC: naming.topics.imageArrived,
        ANALYTICS_VECTOR_CLEANED_TOPIC: naming.topics.vectorCleaned,
        ANALYTICS_INDEX_UPDATED_TOPIC: naming.topics.indexUpdated,
      },
    },
    {
      name: 'search-api',
      entry: dist('apps', 'search-api', 'src', 'main.js'),
      port: ports.search,
      logFile: join(logDir, 'search-api.log'),
      scrapeTargetFile: target('search-api'),
      // Loads the embedding model before it listens; seen past 120 s on a loaded 2-core machine.
      deadlineMs: 300_000,
      env: {
        SEARCH_HTTP_PORT: String(ports.search),
        SEARCH_API_KEYS: input.apiKey,
        SEARCH_SHARD_OWNERS: `http://127.0.0.1:${ports.index}`,
        // A loaded 2-core laptop answers in tens of ms; the default 100 ms deadline would make the first answers partial.
        SEARCH_SHARD_DEADLINE_MS: '2000',
        SEARCH_DIM: String(model.dim),
        MODEL_DIR: model.dir,
        MODEL_ID: model.id,
        ELASTICSEARCH_URL: clientEnv.ELASTICSEARCH_URL,
        CATALOG_ALIAS: naming.catalogAlias,
        KAFKA_BROKERS: clientEnv.KAFKA_BROKERS,
        SEARCH_MODEL_REGISTRY_TOPIC: naming.registryTopic,
      },
    },
    {
      // The lag monitor writes (and removes) its own target file.
      name: 'lag-monitor',
      entry: dist('apps', 'lag-monitor', 'src', 'main.js'),
      port: ports.lagMonitor,
      logFile: join(logDir, 'lag-monitor.log'),
      removeOnExit: [target('lag-monitor')],
      env: {
        KAFKA_BROKERS: clientEnv.KAFKA_BROKERS,
        LAG_MONITOR_TARGET_FILE: target('lag-monitor'),
        LAG_MONITOR_POLL_INTERVAL_MS: '5000',
        LAG_MONITOR_GROUPS: Object.values(naming.groups).join(','),
        LAG_MONITOR_WATCH_TOPICS: Object.values(naming.topics).join(','),
      },
    },
  ];
}

/**
 * Where a group that has never committed on `topic` starts: at `starts` (the
 * end offsets before this run's ingest), so a first demo run extracts this
 * run's images, not every earlier run's replay of them. A group with commits
 * is left alone. Returns whether offsets were set.
 */
export async function startGroupAtIfNew(brokers: string[], groupId: string, topic: string, starts: readonly { partition: number; offset: number }[]): Promise<boolean> {
  const admin = new Kafka({ clientId: 'stylestream-demo', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    if ((committed?.partitions ?? []).some((p) => Number(p.offset) >= 0) || starts.length === 0) return false;
    await admin.setOffsets({ groupId, topic, partitions: starts.map((s) => ({ partition: s.partition, offset: String(s.offset) })) });
    return true;
  } finally {
    await admin.disconnect();
  }
}

/**
 * How far a consumer group is behind the given end offsets on one topic
 * (records not yet committed; 0 = caught up). A partition without a committed
 * offset counts from its start (`low`).
 */
export async function groupBacklog(brokers: string[], groupId: string, topic: string, ends: readonly { partition: number; low: number; high: number }[]): Promise<number> {
  const admin = new Kafka({ clientId: 'stylestream-demo', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return uncommittedRecords(ends, new Map((committed?.partitions ?? []).map((p) => [p.partition, Number(p.offset)])));
  } finally {
    await admin.disconnect();
  }
}
