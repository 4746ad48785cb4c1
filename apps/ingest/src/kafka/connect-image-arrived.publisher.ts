import type { Logger } from 'pino';
import { AvroProducer, TopicProvisioner, chainTopicSpecs, createKafkaClient, toKafkaConfig, type MessageCodec } from '@stylestream/kafka';
import { SchemaRegistryGateway, TOPICS, imageArrivedContract } from '@stylestream/schemas';
import type { IngestKafkaTarget } from '../ingest.config';
import { KafkaImageArrivedPublisher } from './kafka-image-arrived.publisher';

/**
 * Builds the Kafka publisher and proves every dependency before the first
 * request: the topic exists with its spec (TopicProvisioner, idempotent), the
 * schema is registered, the producer is connected. Throws
 * DependencyUnavailableError when Kafka or the registry cannot be reached.
 */
export async function connectImageArrivedPublisher(vars: IngestKafkaTarget, logger: Logger): Promise<KafkaImageArrivedPublisher> {
  const config = toKafkaConfig(vars);
  const kafka = createKafkaClient(config, logger);
  const topic = vars.INGEST_TOPIC ?? TOPICS.imageArrived;
  const contract = imageArrivedContract.onTopic(topic);

  const spec = chainTopicSpecs(config.topicDefaults).find((s) => s.topic === TOPICS.imageArrived);
  if (spec !== undefined) {
    // An overridden (test) topic gets the same settings but no dead-letter twin: no stage consumes it.
    await new TopicProvisioner(kafka, logger).ensure([topic === spec.topic ? spec : { ...spec, topic, withDeadLetterTopic: false }]);
  }

  const gateway = SchemaRegistryGateway.connect({ url: vars.SCHEMA_REGISTRY_URL });
  await gateway.register(contract);
  const codec: MessageCodec = gateway;
  const producer = new AvroProducer(kafka, codec, { retries: config.producerRetries });
  const admin = kafka.admin();
  try {
    await producer.connect();
    await admin.connect();
  } catch (err) {
    await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
    throw err;
  }
  logger.info({ topic, brokers: config.brokers, registry: vars.SCHEMA_REGISTRY_URL }, 'image-arrived publisher connected');
  return new KafkaImageArrivedPublisher(producer, admin, contract, logger);
}
