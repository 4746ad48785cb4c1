/**
 * StageConsumer against the real stack. Real: Kafka (127.0.0.1:9092), the
 * schema registry (127.0.0.1:8081), AvroProducer, DeadLetterPublisher,
 * SchemaRegistryGateway. Faked: the stage handlers (scripted outcomes).
 */
import { DependencyUnavailableError, InvalidInputError } from '@stylestream/errors';
import type { ImageArrived } from '@stylestream/schemas';
import { uniqueName, waitFor } from '@stylestream/test-support';
import { ConsumedMessage, HandlerOutcome, Outcome, stageRoute } from '../src';
import { KafkaTestHarness, image } from './kafka-test.harness';

jest.setTimeout(60_000);

type Seen = { offset: string; key: string | null; id: string | null; attempt: number };

function recorder(seen: Seen[], script: (m: ConsumedMessage<ImageArrived>) => HandlerOutcome | Promise<HandlerOutcome> = () => Outcome.processed()) {
  return async (m: ConsumedMessage<ImageArrived>): Promise<HandlerOutcome> => {
    seen.push({ offset: m.offset, key: m.key, id: m.tombstone ? null : m.value.imageId, attempt: m.attempt });
    return script(m);
  };
}

describe('StageConsumer (integration)', () => {
  let h: KafkaTestHarness;
  beforeEach(() => {
    h = new KafkaTestHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('dead-letters non-Avro bytes, a wrong magic byte and an unknown schema id, and the partition keeps flowing; tombstones reach the handler', async () => {
    const contract = await h.imageTopic('poison');
    await h.producer.send(contract, 'a', image('a'));
    await h.produceRaw(contract.topic, [
      { key: 'text', value: Buffer.from('hello, not avro') },
      { key: 'magic', value: Buffer.from([0x01, 0, 0, 0, 1, 2, 3]) },
      { key: 'unknown', value: Buffer.from([0x00, 0x7f, 0xff, 0xff, 0xf0, 2, 3]) },
    ]);
    await h.producer.send(contract, 'b', image('b'));
    await h.producer.send(contract, 'c', null);

    const seen: Seen[] = [];
    const groupId = uniqueName('kafka-lib-poison');
    await h.consumer({ stage: 'poison-test', groupId, routes: [stageRoute(contract, h.gateway, recorder(seen))] }).start();

    await waitFor(() => seen.length >= 3, { what: 'valid messages after the poison ones' });
    expect(seen.map((s) => [s.offset, s.key, s.id])).toEqual([
      ['0', 'a', 'a'],
      ['4', 'b', 'b'],
      ['5', 'c', null],
    ]);
    const dead = (await h.deadLetters(contract.topic, 3)).sort((x, y) => x.sourceOffset - y.sourceOffset);
    expect(dead.map((d) => [d.sourceOffset, d.errorClass, d.key?.toString()])).toEqual([
      [1, 'WIRE_FORMAT_INVALID', 'text'],
      [2, 'WIRE_FORMAT_INVALID', 'magic'],
      [3, 'SCHEMA_UNKNOWN', 'unknown'],
    ]);
    expect(dead[0]).toMatchObject({ sourceTopic: contract.topic, sourcePartition: 0, stage: 'poison-test', retriable: false, attempts: 1 });
    expect(dead[0]?.value).toEqual(Buffer.from('hello, not avro'));
    expect(dead[1]?.reason).toMatch(/magic byte is 0x01/);
    expect(dead[2]?.reason).toMatch(/schema id 2147483632/);
    await waitFor(async () => (await h.committed(groupId, contract.topic)) === 6, { what: 'offset 6 committed' });
  });

  it('retries a retriable failure with backoff, then processes it, in order and without dead-lettering', async () => {
    const contract = await h.imageTopic('retry');
    for (const id of ['r1', 'flaky', 'r2']) await h.producer.send(contract, id, image(id));
    const seen: Seen[] = [];
    const flaky = Object.assign(new Error('temporarily unavailable'), { retriable: true });
    const groupId = uniqueName('kafka-lib-retry');
    const handler = recorder(seen, (m) => (m.key === 'flaky' && m.attempt < 3 ? Outcome.failed(flaky) : Outcome.processed()));
    await h.consumer({ stage: 'retry-test', groupId, routes: [stageRoute(contract, h.gateway, handler)] }).start();

    await waitFor(async () => (await h.committed(groupId, contract.topic)) === 3, { what: 'offset 3 committed' });
    expect(seen.map((s) => `${s.key}#${s.attempt}`)).toEqual(['r1#1', 'flaky#1', 'flaky#2', 'flaky#3', 'r2#1']);
  });

  it('dead-letters a non-retriable failure and an exhausted retriable one, and pauses (never dead-letters) while a dependency is down', async () => {
    const contract = await h.imageTopic('fail');
    for (const id of ['bad', 'exhausted', 'sink-down', 'ok']) await h.producer.send(contract, id, image(id));
    const seen: Seen[] = [];
    const groupId = uniqueName('kafka-lib-fail');
    const handler = recorder(seen, (m) => {
      if (m.key === 'bad') return Outcome.failed(new InvalidInputError('uri scheme gopher is not supported', 'URI_UNSUPPORTED'));
      if (m.key === 'exhausted') throw Object.assign(new Error('still flaky'), { retriable: true });
      if (m.key === 'sink-down' && m.attempt <= 6) throw new DependencyUnavailableError('clickhouse', 'connection refused');
      return Outcome.processed();
    });
    await h.consumer({ stage: 'fail-test', groupId, routes: [stageRoute(contract, h.gateway, handler)] }).start();

    await waitFor(async () => (await h.committed(groupId, contract.topic)) === 4, { what: 'offset 4 committed' });
    const dead = (await h.deadLetters(contract.topic, 2)).sort((x, y) => x.sourceOffset - y.sourceOffset);
    expect(dead.map((d) => [d.key?.toString(), d.errorClass, d.retriable, d.attempts])).toEqual([
      ['bad', 'URI_UNSUPPORTED', false, 1],
      ['exhausted', 'Error', true, h.config.retryPolicy.maxAttempts],
    ]);
    expect(dead[0]?.reason).toBe('uri scheme gopher is not supported');
    expect(seen.filter((s) => s.key === 'sink-down').map((s) => s.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(seen[seen.length - 1]?.key).toBe('ok');
  });

  it('keeps order within each partition while a paused partition does not stall the others', async () => {
    const contract = await h.imageTopic('partitions', 2);
    const encode = (id: string) => h.gateway.encode(contract, image(id));
    await h.produceRaw(contract.topic, [
      { key: 'p0-down', value: await encode('p0-down'), partition: 0 },
      { key: 'p0-next', value: await encode('p0-next'), partition: 0 },
      ...(await Promise.all([1, 2, 3, 4, 5].map(async (i) => ({ key: `p1-${i}`, value: await encode(`p1-${i}`), partition: 1 })))),
    ]);
    let sinkUp = false;
    const seen: string[] = [];
    const handler = (m: ConsumedMessage<ImageArrived>): Promise<HandlerOutcome> => {
      seen.push(`${m.partition}:${m.key}`);
      if (m.key === 'p0-down' && !sinkUp) return Promise.reject(new DependencyUnavailableError('elasticsearch', 'connection refused'));
      return Promise.resolve(Outcome.processed());
    };
    const groupId = uniqueName('kafka-lib-partitions');
    await h.consumer({ stage: 'partition-test', groupId, routes: [stageRoute(contract, h.gateway, handler)] }).start();

    await waitFor(async () => (await h.committed(groupId, contract.topic, 1)) === 5, { what: 'partition 1 done while partition 0 is paused' });
    await waitFor(() => seen.filter((s) => s === '0:p0-down').length >= 3, { what: 'partition 0 retried while paused' });
    expect(seen.filter((s) => s === '0:p0-next')).toEqual([]);
    expect(seen.filter((s) => s.startsWith('1:'))).toEqual(['1:p1-1', '1:p1-2', '1:p1-3', '1:p1-4', '1:p1-5']);
    sinkUp = true;
    await waitFor(async () => (await h.committed(groupId, contract.topic, 0)) === 2, { what: 'partition 0 done after the sink came back' });
    expect(seen.filter((s) => s.startsWith('0:')).slice(-2)).toEqual(['0:p0-down', '0:p0-next']);
  });

  it('commits only settled offsets: messages in flight when a consumer dies are redelivered to the next one', async () => {
    const contract = await h.imageTopic('crash');
    for (let i = 0; i < 6; i++) await h.producer.send(contract, `m${i}`, image(`m${i}`));
    const groupId = uniqueName('kafka-lib-crash');
    let release: () => void = () => undefined;
    const stuck = new Promise<void>((resolve) => {
      release = resolve;
    });
    const first: Seen[] = [];
    // The first consumer hangs on m3 and stops heartbeating, as a dead process would.
    const dying = h.consumer({
      stage: 'crash-test',
      groupId,
      routes: [stageRoute(contract, h.gateway, recorder(first, async (m) => (m.key === 'm3' ? stuck.then(() => Outcome.processed()) : Outcome.processed())))],
    });
    await dying.start();
    await waitFor(() => first.some((s) => s.key === 'm3'), { what: 'first consumer reaching m3' });
    expect(await h.committed(groupId, contract.topic)).toBe(-1);

    const second: Seen[] = [];
    await h.consumer({ stage: 'crash-test', groupId, routes: [stageRoute(contract, h.gateway, recorder(second))] }).start();
    await waitFor(async () => (await h.committed(groupId, contract.topic)) === 6, { timeoutMs: 40_000, what: 'the second consumer committing 6' });
    expect(second.map((s) => s.key)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5']);
    release();
    await dying.stop();
  });

  it('on stop, finishes the in-flight message, commits exactly what was handled and leaves the group', async () => {
    const contract = await h.imageTopic('shutdown');
    for (let i = 0; i < 20; i++) await h.producer.send(contract, `s${i}`, image(`s${i}`));
    const groupId = uniqueName('kafka-lib-shutdown');
    const seen: Seen[] = [];
    const slow = recorder(seen, async () => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      return Outcome.processed();
    });
    const consumer = h.consumer({ stage: 'shutdown-test', groupId, routes: [stageRoute(contract, h.gateway, slow)] });
    await consumer.start();
    await waitFor(() => seen.length >= 3, { what: 'three messages handled' });
    await consumer.stop();
    const handled = seen.length;
    expect(handled).toBeLessThan(20);
    expect(await h.committed(groupId, contract.topic)).toBe(handled);
    expect(await h.groupState(groupId)).toEqual({ state: 'Empty', members: 0 });

    const rest: Seen[] = [];
    await h.consumer({ stage: 'shutdown-test', groupId, routes: [stageRoute(contract, h.gateway, recorder(rest))] }).start();
    await waitFor(() => rest.length >= 20 - handled, { what: 'the rest after restart' });
    expect(rest[0]?.offset).toBe(String(handled));
  });
});
