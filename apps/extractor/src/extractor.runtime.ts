import type { Logger } from 'pino';
import { AvroProducer, DeadLetterPublisher, StageConsumer, createKafkaClient, stageBatchRoute, stopOnce, toKafkaConfig } from '@stylestream/kafka';
import { loadModel, modelRuntimeOptionsFrom } from '@stylestream/model';
import { SchemaRegistryGateway, imageArrivedContract, vectorExtractedContract } from '@stylestream/schemas';
import { UriImageFetcher } from '@stylestream/storage';
import type { ExtractorConfig } from './extractor.config';
import { promExtractorMetrics, type ExtractorMetrics } from './extractor.metrics';
import { ExtractorService } from './extractor.service';
import { SharpImageDecoder } from './sharp-image.decoder';
import { KafkaVectorExtractedSink } from './vector-extracted.sink';

export const EXTRACTOR_STAGE = 'extractor';

/** A running extractor and its graceful stop. */
export interface ExtractorRuntime {
  readonly service: ExtractorService;
  /** Stops consuming (the in-flight batch settles and commits), releases the model, disconnects. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Opens the model (stops here on an unknown id or a manifest/graph mismatch), then
 * consumes `image-arrived` with a batch route: each call gets up to
 * EXTRACTOR_MAX_BATCH_SIZE records of one partition, run through the model at once.
 */
export async function startExtractor(config: ExtractorConfig, logger: Logger, metrics: ExtractorMetrics = promExtractorMetrics): Promise<ExtractorRuntime> {
  const embedder = await loadModel(modelRuntimeOptionsFrom(config), logger);
  logger.info({ model: embedder.manifest.id, version: embedder.manifest.version, providers: embedder.executionProviders }, 'model loaded');
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
    metrics,
    logger,
    prepareConcurrency: config.EXTRACTOR_PREPARE_CONCURRENCY,
  });
  const consumer = new StageConsumer(
    kafka,
    new DeadLetterPublisher(producer),
    kafkaConfig,
    {
      stage: EXTRACTOR_STAGE,
      routes: [
        stageBatchRoute(imageArrivedContract.onTopic(config.EXTRACTOR_TOPIC_IMAGE_ARRIVED), codec, (messages) => service.extractBatch(messages), {
          maxMessagesPerCall: config.EXTRACTOR_MAX_BATCH_SIZE,
        }),
      ],
    },
    logger,
  );
  try {
    await producer.connect();
    await consumer.start();
  } catch (err) {
    await embedder.release();
    throw err;
  }
  return {
    service,
    stop: stopOnce(async () => {
      await consumer.stop();
      await producer.disconnect();
      await embedder.release();
    }),
  };
}
