import { join } from 'node:path';
import { MODEL_REGISTRY_TOPIC } from '@stylestream/model';
import { TOPICS } from '@stylestream/schemas';
import type { DemoAppLaunch } from '../demo-app.process';
import type { ModelChoice } from './model-choice';

/** The chain topics a version's stages read and write (`--topic T` renames them like the demo: T, T.vector-extracted, ...). */
export interface ChainTopics {
  readonly imageArrived: string;
  readonly vectorExtracted: string;
  readonly vectorCleaned: string;
  readonly indexUpdated: string;
  /** The model registry (compacted). */
  readonly registry: string;
}

export function chainTopics(topic: string | undefined): ChainTopics {
  if (topic === undefined) return { ...TOPICS, registry: MODEL_REGISTRY_TOPIC };
  return {
    imageArrived: topic,
    vectorExtracted: `${topic}.vector-extracted`,
    vectorCleaned: `${topic}.vector-cleaned`,
    indexUpdated: `${topic}.index-updated`,
    registry: `${topic}.${MODEL_REGISTRY_TOPIC}`,
  };
}

/** Names one version's chain owns: its consumer groups and dedupe changelog (new ones, so the replay starts at offset 0). */
export interface VersionNames {
  readonly groups: { readonly extractor: string; readonly dedupe: string; readonly indexWriter: string };
  readonly dedupeStateTopic: string;
}

/** A model version as a Kafka-name-safe suffix (`@` and other characters become `_`). */
export const nameSafe = (version: string): string => version.replace(/[^A-Za-z0-9._-]/g, '_');

export function versionNames(version: string, topic: string | undefined): VersionNames {
  const prefix = topic === undefined ? '' : `${topic}.`;
  const v = nameSafe(version);
  return {
    groups: { extractor: `${prefix}extractor-${v}`, dedupe: `${prefix}dedupe-${v}`, indexWriter: `${prefix}index-writer-${v}` },
    dedupeStateTopic: `${prefix}dedupe-state-${v}`,
  };
}

export interface VersionChainInput {
  readonly dist: (...parts: string[]) => string;
  readonly modelsDir: string;
  readonly model: ModelChoice;
  readonly topics: ChainTopics;
  readonly names: VersionNames;
  readonly clientEnv: { readonly KAFKA_BROKERS: string; readonly SCHEMA_REGISTRY_URL: string };
  /** Root of the shard folders; this version's go to `<indexDir>/<version>/`, beside the others. */
  readonly indexDir: string;
  readonly indexPort: number;
  /** Images per second the replay's extractor starts at most; 0: no cap. */
  readonly rate: number;
  readonly logDir: string;
}

/** The line each stage logs once its consumer runs (libs/kafka StageConsumer). */
const STAGE_READY = 'stage consumer started';

/**
 * extractor, dedupe and index-writer of one model version, each in its own
 * group: they see only their version (records of the others are skipped,
 * not dead-lettered) and write beside the versions already there.
 */
export function versionChainLaunches(input: VersionChainInput): DemoAppLaunch[] {
  const { dist, model, topics, names, clientEnv, logDir } = input;
  const kafka = { KAFKA_BROKERS: clientEnv.KAFKA_BROKERS, SCHEMA_REGISTRY_URL: clientEnv.SCHEMA_REGISTRY_URL };
  // One handler call takes about a second at the capped rate, far inside the consumer's session timeout.
  const perCall = input.rate > 0 ? Math.max(1, Math.min(32, Math.ceil(input.rate))) : 32;
  return [
    {
      name: 'extractor',
      entry: dist('apps', 'extractor', 'src', 'main.js'),
      readyLog: STAGE_READY,
      logFile: join(logDir, 'extractor.log'),
      deadlineMs: 120_000,
      env: {
        ...kafka,
        EXTRACTOR_HTTP_PORT: '0',
        KAFKA_GROUP_ID: names.groups.extractor,
        MODEL_DIR: input.modelsDir,
        MODEL_ID: model.id,
        EXTRACTOR_MAX_RATE: String(input.rate),
        EXTRACTOR_MAX_MESSAGES_PER_CALL: String(perCall),
        EXTRACTOR_TOPIC_IMAGE_ARRIVED: topics.imageArrived,
        EXTRACTOR_TOPIC_VECTOR_EXTRACTED: topics.vectorExtracted,
      },
    },
    {
      name: 'dedupe',
      entry: dist('apps', 'dedupe', 'src', 'main.js'),
      readyLog: STAGE_READY,
      logFile: join(logDir, 'dedupe.log'),
      deadlineMs: 120_000,
      env: {
        ...kafka,
        DEDUPE_HTTP_PORT: '0',
        KAFKA_GROUP_ID: names.groups.dedupe,
        DEDUPE_MODELS: `${model.version}=${model.dim}`,
        DEDUPE_OTHER_MODELS: 'skip',
        DEDUPE_STATE_TOPIC: names.dedupeStateTopic,
        DEDUPE_TOPIC_VECTOR_EXTRACTED: topics.vectorExtracted,
        DEDUPE_TOPIC_VECTOR_CLEANED: topics.vectorCleaned,
      },
    },
    {
      name: 'index-writer',
      entry: dist('apps', 'index-writer', 'src', 'main.js'),
      readyLog: STAGE_READY,
      logFile: join(logDir, 'index-writer.log'),
      env: {
        ...kafka,
        KAFKA_GROUP_ID: names.groups.indexWriter,
        INDEX_DATA_DIR: input.indexDir,
        INDEX_MODEL_VERSION: model.version,
        INDEX_DIM: String(model.dim),
        INDEX_OTHER_MODEL_VERSIONS: 'skip',
        INDEX_HTTP_PORT: String(input.indexPort),
        INDEX_TOPIC_VECTOR_CLEANED: topics.vectorCleaned,
        INDEX_TOPIC_INDEX_UPDATED: topics.indexUpdated,
      },
    },
  ];
}
