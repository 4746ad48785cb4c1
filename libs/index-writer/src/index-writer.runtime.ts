import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { reasonOf } from '@stylestream/errors';
import { PartitionShardsHost, ShardWorkerPool, type ShardHost, type ShardHostOptions } from '@stylestream/index';
import { AvroProducer, DeadLetterPublisher, StageConsumer, createKafkaClient, stageBatchRoute, stopOnce, toKafkaConfig } from '@stylestream/kafka';
import { SchemaRegistryGateway, indexUpdatedContract, vectorCleanedContract } from '@stylestream/schemas';
import { createIndexWriterHttpApp } from './http/index-writer-http.app';
import { KnnLimits } from './http/knn.controller';
import type { IndexWriterConfig } from './index-writer.config';
import { IndexWriterMetrics } from './index-writer.metrics';
import { KafkaIndexUpdateSink } from './index-update.sink';
import { IndexWriterService } from './index-writer.service';
import { PartitionOwnership } from './partition-ownership';
import { ShardQueryService } from './query/shard-query.service';

export const INDEX_WRITER_STAGE = 'index-writer';

/** A running index-writer: its services, its endpoint and a graceful stop. */
export interface IndexWriterRuntime {
  readonly service: IndexWriterService;
  readonly queries: ShardQueryService;
  readonly ownership: PartitionOwnership;
  /** Base URL of the k-NN endpoint, e.g. http://127.0.0.1:8097 (the real port when INDEX_HTTP_PORT=0). */
  readonly url: string;
  readonly owner: string;
  /** Stops consuming (in-flight batches settle), writes final snapshots, closes HTTP and the workers, disconnects. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Wires the index-writer: shard host (worker threads, or in-process with
 * INDEX_WORKERS=0), partition ownership driven by the consumer group's
 * assignment (seekOnJoin), the vector-cleaned consumer, the timed snapshots
 * and the k-NN endpoint. `onFatal` is called when a shard worker dies (its
 * shards are lost: the process should exit and restart from snapshots).
 */
export async function startIndexWriter(config: IndexWriterConfig, logger: Logger, onFatal: (reason: string) => void = () => undefined): Promise<IndexWriterRuntime> {
  const kafkaConfig = toKafkaConfig(config);
  const kafka = createKafkaClient(kafkaConfig, logger);
  const codec = SchemaRegistryGateway.connect({ url: config.SCHEMA_REGISTRY_URL });
  const producer = new AvroProducer(kafka, codec, { retries: kafkaConfig.producerRetries });
  const hostOptions: ShardHostOptions = {
    dataDir: config.INDEX_DATA_DIR,
    topic: config.INDEX_TOPIC_VECTOR_CLEANED,
    modelVersion: config.INDEX_MODEL_VERSION,
    params: { dim: config.INDEX_DIM, space: config.INDEX_SPACE, m: config.INDEX_M, efConstruction: config.INDEX_EF_CONSTRUCTION, ef: config.INDEX_EF, seed: 100 },
    capacity: config.INDEX_SHARD_CAPACITY,
    snapshotEveryOps: config.INDEX_SNAPSHOT_EVERY_OPS,
    snapshotEveryMs: config.INDEX_SNAPSHOT_EVERY_MS,
    snapshotBackoffFactor: config.INDEX_SNAPSHOT_BACKOFF_FACTOR,
    rebuildDeletedRatio: config.INDEX_REBUILD_DELETED_RATIO,
    exactFilterMax: config.INDEX_EXACT_FILTER_MAX,
  };
  // A background snapshot is announced on index-updated as soon as it is on disk, not at the next timer tick.
  let onSnapshotWritten = (): void => undefined;
  const listener = { snapshotWritten: () => onSnapshotWritten() };
  const host: ShardHost =
    config.INDEX_WORKERS === 0
      ? new PartitionShardsHost(hostOptions, Date.now, listener)
      : new ShardWorkerPool(
          hostOptions,
          config.INDEX_WORKERS,
          (err) => {
            logger.fatal({ reason: reasonOf(err) }, 'shard worker died');
            onFatal(reasonOf(err));
          },
          listener,
        );
  const metrics = config.METRICS_ENABLED ? new IndexWriterMetrics() : undefined;
  const ownership = new PartitionOwnership(host, hostOptions, logger);
  let owner = config.INDEX_OWNER_ID ?? `${hostname()}:${config.INDEX_HTTP_PORT}`;
  const service = new IndexWriterService({
    host,
    ownership,
    modelVersion: config.INDEX_MODEL_VERSION,
    otherVersions: config.INDEX_OTHER_MODEL_VERSIONS,
    dim: config.INDEX_DIM,
    updates: new KafkaIndexUpdateSink(producer, indexUpdatedContract.onTopic(config.INDEX_TOPIC_INDEX_UPDATED)),
    metrics,
    logger,
  });
  onSnapshotWritten = () => {
    service.snapshotIfDue().catch((err: unknown) => logger.error({ reason: reasonOf(err) }, 'announcing a written snapshot failed'));
  };
  const queries = new ShardQueryService({ host, ownership, owner: () => owner, modelVersion: config.INDEX_MODEL_VERSION, exactFilterMax: config.INDEX_EXACT_FILTER_MAX, metrics });
  const app = await createIndexWriterHttpApp({ queries, ownership, limits: new KnnLimits(config.INDEX_DIM, config.INDEX_MAX_K), maxBodyBytes: config.INDEX_HTTP_MAX_BODY_BYTES, logger });
  await app.listen(config.INDEX_HTTP_PORT, config.INDEX_HTTP_HOST);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address !== null ? address.port : config.INDEX_HTTP_PORT;
  owner = config.INDEX_OWNER_ID ?? `${hostname()}:${port}`;
  const url = `http://${config.INDEX_HTTP_HOST}:${port}`;
  const unwatch = metrics?.watch({ owner, stats: () => host.stats() }) ?? ((): void => undefined);

  const consumer = new StageConsumer(
    kafka,
    new DeadLetterPublisher(producer),
    kafkaConfig,
    {
      stage: INDEX_WRITER_STAGE,
      routes: [stageBatchRoute(vectorCleanedContract.onTopic(config.INDEX_TOPIC_VECTOR_CLEANED), codec, (messages) => service.applyBatch(messages))],
      seekOnJoin: (assigned) => ownership.onJoin(assigned),
    },
    logger,
  );
  const timer = setInterval(
    () => {
      service.snapshotIfDue().catch((err: unknown) => logger.error({ reason: reasonOf(err) }, 'timed snapshot failed'));
    },
    Math.max(10, Math.min(1000, Math.floor(config.INDEX_SNAPSHOT_EVERY_MS / 2))),
  );
  const stop = stopOnce(async () => {
    clearInterval(timer);
    await consumer.stop();
    await service.close();
    unwatch();
    await app.close();
    await host.close();
    await producer.disconnect();
  });
  try {
    await producer.connect();
    await consumer.start();
  } catch (err) {
    await stop();
    throw err;
  }
  logger.info({ url, owner, workers: config.INDEX_WORKERS, topic: config.INDEX_TOPIC_VECTOR_CLEANED }, 'index-writer started');
  return { service, queries, ownership, url, owner, stop };
}
