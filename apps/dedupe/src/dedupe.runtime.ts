import type { Logger } from 'pino';
import { AvroProducer, DeadLetterPublisher, StageConsumer, TopicProvisioner, createKafkaClient, stageBatchRoute, stopOnce, toKafkaConfig } from '@stylestream/kafka';
import { SchemaRegistryGateway, vectorCleanedContract, vectorExtractedContract } from '@stylestream/schemas';
import { type DedupeConfig, dedupeStateOptions, dedupeThresholds } from './dedupe.config';
import { DedupeService } from './dedupe.service';
import { DedupeState } from './dedupe-state';
import { KafkaCleanedPublisher } from './kafka-cleaned.publisher';
import { KafkaStateChangelog } from './kafka-state.changelog';

export const DEDUPE_STAGE = 'dedupe';

/** A running dedupe stage: its service (state, for tests and probes) and a graceful stop. */
export interface DedupeRuntime {
  readonly service: DedupeService;
  /** Stops consuming (in-flight messages settle and commit), stops tailing the changelog, disconnects. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Ensures the compacted changelog exists, restores the whole state from it,
 * keeps tailing it (other instances' decisions become visible here), and
 * only then starts consuming vector-extracted.
 */
export async function startDedupe(config: DedupeConfig, logger: Logger): Promise<DedupeRuntime> {
  const kafkaConfig = toKafkaConfig(config);
  const kafka = createKafkaClient(kafkaConfig, logger);
  const codec = SchemaRegistryGateway.connect({ url: config.SCHEMA_REGISTRY_URL });
  const producer = new AvroProducer(kafka, codec, { retries: kafkaConfig.producerRetries });
  const thresholds = dedupeThresholds(config);
  if (thresholds.maxHammingDistance > 3 && config.DEDUPE_VECTOR_CANDIDATES === 0) {
    logger.warn({ maxDistance: thresholds.maxHammingDistance }, 'pHash distance above 3 without vector candidates: the 4-band index may miss some matches at that distance');
  }
  await new TopicProvisioner(kafka, logger).ensure([
    {
      topic: config.DEDUPE_STATE_TOPIC,
      partitions: config.DEDUPE_STATE_PARTITIONS,
      replicationFactor: kafkaConfig.topicDefaults.replicationFactor,
      configs: { 'cleanup.policy': 'compact' },
    },
  ]);
  const changelog = new KafkaStateChangelog(
    kafka,
    producer,
    {
      topic: config.DEDUPE_STATE_TOPIC,
      groupPrefix: `${kafkaConfig.groupId}-state`,
      restoreTimeoutMs: config.DEDUPE_RESTORE_TIMEOUT_MS,
      maxWaitTimeMs: kafkaConfig.consumer.maxWaitTimeMs,
    },
    logger,
  );
  const service = new DedupeService({
    state: new DedupeState(dedupeStateOptions(config)),
    changelog,
    output: new KafkaCleanedPublisher(producer, vectorCleanedContract.onTopic(config.DEDUPE_TOPIC_VECTOR_CLEANED)),
    input: { models: config.DEDUPE_MODELS, normTolerance: config.DEDUPE_NORM_TOLERANCE },
    otherModels: config.DEDUPE_OTHER_MODELS,
    thresholds,
    logger,
  });
  const consumer = new StageConsumer(
    kafka,
    new DeadLetterPublisher(producer),
    kafkaConfig,
    {
      stage: DEDUPE_STAGE,
      routes: [
        stageBatchRoute(vectorExtractedContract.onTopic(config.DEDUPE_TOPIC_VECTOR_EXTRACTED), codec, (messages, call) => service.handleBatch(messages, call), {
          maxMessagesPerCall: config.DEDUPE_BATCH_MAX_MESSAGES,
        }),
      ],
    },
    logger,
  );
  await producer.connect();
  try {
    await changelog.start((record) => service.applyChangelog(record));
    logger.info({ images: service.state.size }, 'dedupe state ready');
    await consumer.start();
  } catch (err) {
    await changelog.stop();
    await producer.disconnect();
    throw err;
  }
  return {
    service,
    stop: stopOnce(async () => {
      await consumer.stop();
      await changelog.stop();
      await producer.disconnect();
    }),
  };
}
