/**
 * StageConsumer with a batch route against the real stack. Real: Kafka
 * (127.0.0.1:9092), the schema registry (127.0.0.1:8081), AvroProducer,
 * DeadLetterPublisher, SchemaRegistryGateway. Faked: the batch handler
 * (records each call, scripted outcomes).
 */
import type { ImageArrived } from '@stylestream/schemas';
import { uniqueName, waitFor } from '@stylestream/test-support';
import { ConsumedMessage, HandlerOutcome, Outcome, stageBatchRoute } from '../src';
import { KafkaTestHarness, image } from './kafka-test.harness';

jest.setTimeout(60_000);

describe('StageConsumer with a batch route (integration)', () => {
  let h: KafkaTestHarness;
  beforeEach(() => {
    h = new KafkaTestHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('hands multi-message partition batches to the handler in offset order and commits every message exactly once', async () => {
    const contract = await h.imageTopic('batch', 2);
    const total = 80;
    await h.producer.sendBatch(contract, Array.from({ length: total }, (_, i) => ({ key: `img-${i}`, value: image(`img-${i}`) })));
    const calls: { partition: number; offsets: number[] }[] = [];
    const handler = (messages: readonly ConsumedMessage<ImageArrived>[]): Promise<HandlerOutcome[]> => {
      calls.push({ partition: messages[0]?.partition ?? -1, offsets: messages.map((m) => Number(m.offset)) });
      return Promise.resolve(messages.map(() => Outcome.processed()));
    };
    const groupId = uniqueName('kafka-lib-batch');
    await h.consumer({ stage: 'batch-test', groupId, routes: [stageBatchRoute(contract, h.gateway, handler, { maxMessagesPerCall: 25 })] }).start();

    const committed = async () => [await h.committed(groupId, contract.topic, 0), await h.committed(groupId, contract.topic, 1)];
    await waitFor(async () => (await committed()).reduce((a, b) => a + Math.max(0, b), 0) === total, { what: `${total} offsets committed` });
    expect(calls.some((c) => c.offsets.length > 1)).toBe(true);
    expect(Math.max(...calls.map((c) => c.offsets.length))).toBeLessThanOrEqual(25);
    const ends = await committed();
    for (const partition of [0, 1]) {
      const offsets = calls.filter((c) => c.partition === partition).flatMap((c) => c.offsets);
      expect(offsets).toEqual(Array.from({ length: ends[partition] ?? 0 }, (_, i) => i));
    }
  });
});
