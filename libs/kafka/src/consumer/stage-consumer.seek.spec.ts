import type { Kafka } from 'kafkajs';
import pino from 'pino';
import { RETRY_POLICIES } from '../delivery/retry-policy';
import type { KafkaConfig } from '../config/kafka.config';
import { StageConsumer } from './stage-consumer';
import type { StageRoute } from './stage-route';

type Listener = (event: { payload: { memberAssignment: Record<string, number[]> } }) => void;

function fakeKafka() {
  const listeners = new Map<string, Listener[]>();
  const seeks: unknown[] = [];
  const consumer = {
    events: { CRASH: 'crash', GROUP_JOIN: 'group-join' },
    on: (event: string, listener: Listener) => listeners.set(event, [...(listeners.get(event) ?? []), listener]),
    seek: (position: unknown) => seeks.push(position),
  };
  const kafka = { consumer: () => consumer } as unknown as Kafka;
  const join = (memberAssignment: Record<string, number[]>) => (listeners.get('group-join') ?? []).forEach((l) => l({ payload: { memberAssignment } }));
  return { kafka, seeks, join, listeners };
}

const config: KafkaConfig = {
  brokers: ['x:9092'],
  clientId: 'c',
  groupId: 'g',
  consumer: { partitionsConcurrency: 1, maxBytesPerPartition: 1024, maxWaitTimeMs: 100, sessionTimeoutMs: 6000, heartbeatIntervalMs: 1000 },
  retryPolicy: RETRY_POLICIES.test,
  shutdownTimeoutMs: 1000,
  producerRetries: 1,
  topicDefaults: { partitions: 1, replicationFactor: 1 },
};
const route: StageRoute = { topic: 't', prepare: () => Promise.reject(new Error('unused')) };
const deadLetters = { send: () => Promise.resolve() };

describe('StageConsumer seekOnJoin', () => {
  it('seeks every position the hook returns, on each group join, with the assignment it got', () => {
    const { kafka, seeks, join } = fakeKafka();
    const calls: unknown[] = [];
    new StageConsumer(kafka, deadLetters, config, {
      stage: 's',
      routes: [route],
      seekOnJoin: (assigned) => {
        calls.push(assigned);
        return assigned.flatMap(({ topic, partitions }) => partitions.map((partition) => ({ topic, partition, offset: String(partition * 10) })));
      },
    }, pino({ level: 'silent' }));
    join({ t: [0, 2] });
    join({ t: [1] });
    expect(calls).toEqual([[{ topic: 't', partitions: [0, 2] }], [{ topic: 't', partitions: [1] }]]);
    expect(seeks).toEqual([
      { topic: 't', partition: 0, offset: '0' },
      { topic: 't', partition: 2, offset: '20' },
      { topic: 't', partition: 1, offset: '10' },
    ]);
  });

  it('registers no join listener without the hook (committed offsets are used)', () => {
    const { kafka, listeners } = fakeKafka();
    new StageConsumer(kafka, deadLetters, config, { stage: 's', routes: [route] }, pino({ level: 'silent' }));
    expect(listeners.has('group-join')).toBe(false);
  });
});
