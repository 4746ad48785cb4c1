import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { SchemaRegistryGateway, imageArrivedContract, type ImageArrived } from '@stylestream/schemas';
import { stack, uniqueName, waitFor } from '@stylestream/test-support';

/** One record read back from an image-arrived topic; `value` is null for a tombstone. */
export interface ReadRecord {
  key: string;
  value: ImageArrived | null;
  partition: number;
  offset: string;
}

/**
 * Test-only reader: consumes a topic from the beginning with a unique group
 * and decodes every value through the real schema registry.
 */
export class ImageArrivedTopicReader {
  readonly records: ReadRecord[] = [];
  private readonly consumer: Consumer;
  private readonly gateway = SchemaRegistryGateway.connect({ url: stack.registryUrl });

  constructor(readonly topic: string) {
    const kafka = new Kafka({ clientId: 'ingest-test-reader', brokers: stack.brokers, logLevel: logLevel.NOTHING });
    this.consumer = kafka.consumer({ groupId: uniqueName('ingest-test-reader'), maxWaitTimeInMs: 100 });
  }

  async start(): Promise<this> {
    const contract = imageArrivedContract.onTopic(this.topic);
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ partition, message }) => {
        const value = message.value === null ? null : (await this.gateway.decode(message.value, contract)).value;
        this.records.push({ key: message.key?.toString('utf8') ?? '', value, partition, offset: message.offset });
      },
    });
    return this;
  }

  /** Waits (polling, with a deadline) until at least `count` records were read. */
  async waitForCount(count: number, timeoutMs = 30_000): Promise<ReadRecord[]> {
    await waitFor(() => this.records.length >= count, { timeoutMs, what: `${count} records on ${this.topic} (have ${this.records.length})` });
    return this.records;
  }

  at(partition: number, offset: string): ReadRecord | undefined {
    return this.records.find((r) => r.partition === partition && r.offset === offset);
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}
