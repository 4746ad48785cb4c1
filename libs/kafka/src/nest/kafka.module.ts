import { DynamicModule, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { MessageCodec } from '../codec/message-codec.port';
import type { KafkaConfig } from '../config/kafka.config';
import { createKafkaClient } from '../kafka-client';
import { AvroProducer } from '../producer/avro-producer';
import { TopicProvisioner } from '../admin/topic-provisioner';
import { KAFKA_CLIENT, KAFKA_CONFIG, KAFKA_LOGGER, MESSAGE_CODEC } from './kafka.tokens';

export interface KafkaModuleOptions {
  /** Validated at boot (loadKafkaConfig); the module never reads the environment itself. */
  readonly config: KafkaConfig;
  /** The registry codec, e.g. SchemaRegistryGateway.connect({ url }) from @stylestream/schemas. */
  readonly codec: MessageCodec;
  readonly logger: Logger;
}

/** Disconnects the shared producer after consumers have stopped (Nest closes transports first). */
@Injectable()
class ProducerLifecycle implements OnApplicationShutdown {
  constructor(@Inject(AvroProducer) private readonly producer: AvroProducer) {}
  async onApplicationShutdown(): Promise<void> {
    await this.producer.disconnect();
  }
}

/**
 * Provides the Kafka client, the AvroProducer (injectable as AvroProducer),
 * the TopicProvisioner, the codec (MESSAGE_CODEC) and the config
 * (KAFKA_CONFIG). Consumption is wired in main.ts with
 * `app.connectMicroservice({ strategy: KafkaStageTransport.fromApp(app, {...}) })`.
 */
@Module({})
export class KafkaModule {
  static forRoot(options: KafkaModuleOptions): DynamicModule {
    return {
      module: KafkaModule,
      global: true,
      providers: [
        { provide: KAFKA_CONFIG, useValue: options.config },
        { provide: MESSAGE_CODEC, useValue: options.codec },
        { provide: KAFKA_LOGGER, useValue: options.logger },
        { provide: KAFKA_CLIENT, useFactory: (): Kafka => createKafkaClient(options.config, options.logger) },
        {
          provide: AvroProducer,
          inject: [KAFKA_CLIENT],
          useFactory: (kafka: Kafka) => new AvroProducer(kafka, options.codec, { retries: options.config.producerRetries }),
        },
        { provide: TopicProvisioner, inject: [KAFKA_CLIENT], useFactory: (kafka: Kafka) => new TopicProvisioner(kafka, options.logger) },
        ProducerLifecycle,
      ],
      exports: [KAFKA_CONFIG, MESSAGE_CODEC, KAFKA_LOGGER, KAFKA_CLIENT, AvroProducer, TopicProvisioner],
    };
  }
}
