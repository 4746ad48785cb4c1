import type { Logger } from 'pino';
import { reasonOf } from '@stylestream/errors';
import { AvroProducer, DeadLetterPublisher, StageConsumer, createKafkaClient, stageBatchRoute, stopOnce, toKafkaConfig } from '@stylestream/kafka';
import { Registry } from 'prom-client';
import { ScrapeTargetFile, metricsRegistry, startOpsHttpServer } from '@stylestream/metrics';
import { modelRuntimeOptionsFrom } from '@stylestream/model';
import { SchemaRegistryGateway, imageArrivedContract, vectorExtractedContract } from '@stylestream/schemas';
import { UriImageFetcher } from '@stylestream/storage';
import type { ExtractorConfig } from './extractor.config';
import { createPromExtractorMetrics, noExtractorMetrics, type ExtractorMetrics } from './extractor.metrics';
import { ExtractorService } from './extractor.service';
import { ExtractorReadiness } from './http/extractor-readiness';
import { WorkerModelEmbedder } from './model/worker-model.embedder';
import { SharpImageDecoder } from './sharp-image.decoder';
import { RateThrottle } from './rate.throttle';
import { KafkaVectorExtractedSink } from './vector-extracted.sink';

export const EXTRACTOR_STAGE = 'extractor';

/** A running extractor and its graceful stop. */
export interface ExtractorRuntime {
  readonly service: ExtractorService;
  readonly readiness: ExtractorReadiness;
  /** Base URL of /metrics, /healthz, /readyz, e.g. http://127.0.0.1:8094 (the real port when EXTRACTOR_HTTP_PORT=0). */
  readonly url: string;
  /** Stops consuming (the in-flight batch settles and commits), releases the model, closes HTTP. Idempotent. */
  stop(): Promise<void>;
}

let promMetrics: ExtractorMetrics | undefined;
/** One registration per process (several runtimes in one test process share the series). */
function extractorMetrics(enabled: boolean): ExtractorMetrics {
  if (!enabled) return noExtractorMetrics;
  promMetrics ??= createPromExtractorMetrics(metricsRegistry);
  return promMetrics;
}

/**
 * Serves /healthz at once (/readyz answers 503 until ready), opens the model in its
 * worker thread (stops here on an unknown id or a manifest/graph mismatch), then consumes `image-arrived`
 * with a batch route: each call gets up to EXTRACTOR_MAX_MESSAGES_PER_CALL records of
 * one partition; their images reach the model through the dynamic batcher.
 */
export async function startExtractor(
  config: ExtractorConfig,
  logger: Logger,
  /** Called if the model worker thread dies; main.ts exits so the process is restarted. */
  onFatal: (err: Error) => void = (err) => logger.error({ reason: reasonOf(err) }, 'model worker died'),
): Promise<ExtractorRuntime> {
  const readiness = new ExtractorReadiness();
  // With metrics off, /metrics serves an empty registry (nothing is recorded).
  const ops = await startOpsHttpServer({
    port: config.EXTRACTOR_HTTP_PORT,
    host: config.EXTRACTOR_HTTP_HOST,
    readiness: () => readiness.check(),
    registry: config.METRICS_ENABLED ? metricsRegistry : new Registry(),
  });
  const url = ops.url;
  const target = config.EXTRACTOR_TARGET_FILE === undefined ? undefined : new ScrapeTargetFile(config.EXTRACTOR_TARGET_FILE, `${config.EXTRACTOR_HTTP_HOST}:${ops.port}`, { app: 'extractor' });
  const removeTarget = (): void => target?.remove();
  let embedder: WorkerModelEmbedder | undefined;
  try {
    embedder = await WorkerModelEmbedder.open({ ...modelRuntimeOptionsFrom(config), maxBatchSize: config.EXTRACTOR_MAX_BATCH_SIZE }, logger, onFatal);
    readiness.markModelLoaded();
    logger.info({ model: embedder.manifest.id, version: embedder.manifest.version, providers: embedder.executionProviders, url }, 'model loaded');
    const running = await startConsuming(config, logger, embedder, readiness);
    target?.write();
    if (target !== undefined) process.once('exit', removeTarget);
    const loaded = embedder;
    return {
      service: running.service,
      readiness,
      url,
      stop: stopOnce(async () => {
        readiness.markStopping();
        removeTarget();
        process.off('exit', removeTarget);
        await running.stop();
        readiness.markKafkaConnected(false);
        await loaded.release();
        await ops.close();
      }),
    };
  } catch (err) {
    await embedder?.release();
    await ops.close();
    throw err;
  }
}

async function startConsuming(
  config: ExtractorConfig,
  logger: Logger,
  embedder: WorkerModelEmbedder,
  readiness: ExtractorReadiness,
): Promise<{ service: ExtractorService; stop(): Promise<void> }> {
  const kafkaConfig = toKafkaConfig(config);
  const kafka = createKafkaClient(kafkaConfig, logger);
  const codec = SchemaRegistryGateway.connect({ url: config.SCHEMA_REGISTRY_URL });
  const producer = new AvroProducer(kafka, codec, { retries: kafkaConfig.producerRetries });
  const service = new ExtractorService({
    fetcher: new UriImageFetcher({
      maxBytes: config.EXTRACTOR_FETCH_MAX_BYTES,
      timeoutMs: config.EXTRACTOR_FETCH_TIMEOUT_MS,
      attempts: config.EXTRACTOR_FETCH_ATTEMPTS,
      initialBackoffMs: config.EXTRACTOR_FETCH_BACKOFF_MS,
      maxBackoffMs: Math.max(config.EXTRACTOR_FETCH_BACKOFF_MS, 2_000),
    }),
    decoder: new SharpImageDecoder(config.EXTRACTOR_MAX_PIXELS),
    embedder,
    sink: new KafkaVectorExtractedSink(producer, vectorExtractedContract.onTopic(config.EXTRACTOR_TOPIC_VECTOR_EXTRACTED)),
    metrics: extractorMetrics(config.METRICS_ENABLED),
    logger,
    prepareConcurrency: config.EXTRACTOR_PREPARE_CONCURRENCY,
    batching: { maxBatchSize: config.EXTRACTOR_MAX_BATCH_SIZE, maxWaitMs: config.EXTRACTOR_MAX_WAIT_MS },
    ...(config.EXTRACTOR_MAX_RATE > 0 ? { throttle: new RateThrottle(config.EXTRACTOR_MAX_RATE) } : {}),
  });
  const consumer = new StageConsumer(
    kafka,
    new DeadLetterPublisher(producer),
    kafkaConfig,
    {
      stage: EXTRACTOR_STAGE,
      routes: [
        stageBatchRoute(imageArrivedContract.onTopic(config.EXTRACTOR_TOPIC_IMAGE_ARRIVED), codec, (messages) => service.extractBatch(messages), {
          maxMessagesPerCall: config.EXTRACTOR_MAX_MESSAGES_PER_CALL,
        }),
      ],
    },
    logger,
  );
  try {
    await producer.connect();
    await consumer.start();
  } catch (err) {
    await producer.disconnect().catch((cause: unknown) => logger.warn({ reason: reasonOf(cause) }, 'producer disconnect after a failed start failed'));
    throw err;
  }
  readiness.markKafkaConnected(true);
  return {
    service,
    stop: async () => {
      await consumer.stop();
      await producer.disconnect();
    },
  };
}
