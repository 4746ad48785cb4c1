import type { Logger } from 'pino';
import { ShardSnapshotStore } from '@stylestream/index';
import { AvroProducer, DeadLetterPublisher, StageConsumer, createKafkaClient, stageBatchRoute, stopOnce, toKafkaConfig } from '@stylestream/kafka';
import { SchemaRegistryGateway, indexUpdatedContract, vectorCleanedContract } from '@stylestream/schemas';
import type { IndexWriterConfig } from './index-writer.config';
import { KafkaIndexUpdateSink } from './index-update.sink';
import { IndexWriterService } from './index-writer.service';

export const INDEX_WRITER_STAGE = 'index-writer';

/** A running index-writer: its service (queries, ids) and a graceful stop. */
export interface IndexWriterRuntime {
  readonly service: IndexWriterService;
  /** Stops consuming (in-flight batch settles), writes a final snapshot, disconnects. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Loads the last snapshot, then starts consuming `vector-cleaned` positioned
 * from the snapshot's offsets (seekOnJoin). One process owns every
 * partition; the consumer handles one partition batch at a time, which the
 * service's dead-letter ordering relies on.
 */
export async function startIndexWriter(config: IndexWriterConfig, logger: Logger): Promise<IndexWriterRuntime> {
  const base = toKafkaConfig(config);
  const kafkaConfig = { ...base, consumer: { ...base.consumer, partitionsConcurrency: 1 } };
  const kafka = createKafkaClient(kafkaConfig, logger);
  const codec = SchemaRegistryGateway.connect({ url: config.SCHEMA_REGISTRY_URL });
  const producer = new AvroProducer(kafka, codec, { retries: kafkaConfig.producerRetries });
  const store = new ShardSnapshotStore(config.INDEX_DATA_DIR);
  const params = { dim: config.INDEX_DIM, space: config.INDEX_SPACE, m: config.INDEX_M, efConstruction: config.INDEX_EF_CONSTRUCTION, ef: config.INDEX_EF, seed: 100 };
  const set = await store.load(config.INDEX_MODEL_VERSION, params, config.INDEX_SHARD_CAPACITY);
  logger.info({ modelVersion: set.modelVersion, snapshotVersion: set.snapshotVersion, vectors: set.size, offsets: set.appliedOffsets() }, 'index snapshot loaded');
  const service = new IndexWriterService({
    set,
    store,
    updates: new KafkaIndexUpdateSink(producer, indexUpdatedContract.onTopic(config.INDEX_TOPIC_INDEX_UPDATED)),
    policy: { everyOps: config.INDEX_SNAPSHOT_EVERY_OPS, everyMs: config.INDEX_SNAPSHOT_EVERY_MS },
    logger,
  });
  const consumer = new StageConsumer(
    kafka,
    new DeadLetterPublisher(producer),
    kafkaConfig,
    {
      stage: INDEX_WRITER_STAGE,
      routes: [stageBatchRoute(vectorCleanedContract.onTopic(config.INDEX_TOPIC_VECTOR_CLEANED), codec, (messages) => service.applyBatch(messages))],
      seekOnJoin: (assigned) => service.seekPositions(assigned),
    },
    logger,
  );
  await producer.connect();
  await consumer.start();
  const timer = setInterval(() => {
    service.snapshotIfDue().catch((err: unknown) => logger.error({ err }, 'timed snapshot failed'));
  }, Math.max(10, Math.min(1000, Math.floor(config.INDEX_SNAPSHOT_EVERY_MS / 2))));
  return {
    service,
    stop: stopOnce(async () => {
      clearInterval(timer);
      await consumer.stop();
      await service.close();
      await producer.disconnect();
    }),
  };
}
