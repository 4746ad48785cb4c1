import type { Client } from '@elastic/elasticsearch';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { CatalogBulkBatcher, ElasticsearchCatalogStore, elasticsearchCallBoundMs } from '@stylestream/catalog';
import { AvroProducer, DeadLetterPublisher, type KafkaConfig, type MessageCodec, StageConsumer, stageBatchRoute, submitEach } from '@stylestream/kafka';
import { imageArrivedContract, indexUpdatedContract, vectorCleanedContract } from '@stylestream/schemas';
import { CatalogSinkHandlers } from './catalog-sink.handlers';
import { DeadlineCatalogStore } from './deadline-catalog.store';
import { MeteredCatalogStore } from './metered-catalog.store';

export interface CatalogTopics {
  readonly imageArrived: string;
  readonly vectorCleaned: string;
  readonly indexUpdated: string;
}

export interface CatalogSinkOptions {
  readonly kafka: Kafka;
  readonly codec: MessageCodec;
  readonly producer: AvroProducer;
  readonly kafkaConfig: KafkaConfig;
  readonly es: Client;
  readonly topics: CatalogTopics;
  /** Where to write: the alias (live sink) or a concrete new index (reindex). */
  readonly imagesIndex: string;
  readonly shardsIndex: string;
  readonly groupId: string;
  readonly bulk: { readonly maxBatch: number; readonly lingerMs: number };
  readonly refresh?: false | 'wait_for';
  /** The longest one bulk (with the client's own timeout and retries) may take before the partition pauses (default: elasticsearchCallBoundMs of the client defaults). */
  readonly applyDeadlineMs?: number;
  readonly logger: Logger;
}

/** The catalogue sink: one StageConsumer over the three topics (batch routes), writing through a shared bulk batcher. */
export function createCatalogSink(options: CatalogSinkOptions): StageConsumer {
  const store = new MeteredCatalogStore(
    new DeadlineCatalogStore(
      new ElasticsearchCatalogStore(options.es, { images: options.imagesIndex, shards: options.shardsIndex }, { refresh: options.refresh ?? false }),
      options.applyDeadlineMs ?? elasticsearchCallBoundMs(),
    ),
  );
  const handlers = new CatalogSinkHandlers(new CatalogBulkBatcher(store, options.bulk));
  const { topics, codec } = options;
  // A partition batch goes to the batcher whole (split at the bulk size), so bulks fill up.
  const perCall = { maxMessagesPerCall: options.bulk.maxBatch };
  return new StageConsumer(
    options.kafka,
    new DeadLetterPublisher(options.producer),
    options.kafkaConfig,
    {
      stage: 'catalog',
      groupId: options.groupId,
      fromBeginning: true,
      routes: [
        stageBatchRoute(imageArrivedContract.onTopic(topics.imageArrived), codec, submitEach(handlers.imageArrived), perCall),
        stageBatchRoute(vectorCleanedContract.onTopic(topics.vectorCleaned), codec, submitEach(handlers.vectorCleaned), perCall),
        stageBatchRoute(indexUpdatedContract.onTopic(topics.indexUpdated), codec, submitEach(handlers.indexUpdated), perCall),
      ],
    },
    options.logger,
  );
}
