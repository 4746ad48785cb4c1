/** TopicProvisioner against the real broker (127.0.0.1:9092); nothing faked. */
import { ConfigResourceTypes } from 'kafkajs';
import { uniqueName } from '@stylestream/test-support';
import { TopicMismatchError, TopicSpec } from '../src';
import { KafkaTestHarness } from './kafka-test.harness';

jest.setTimeout(60_000);

describe('TopicProvisioner (integration)', () => {
  let h: KafkaTestHarness;
  beforeEach(() => {
    h = new KafkaTestHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  async function describeTopic(topic: string): Promise<{ partitions: number; configs: Map<string, string> }> {
    const admin = h.kafka.admin();
    await admin.connect();
    try {
      const meta = await admin.fetchTopicMetadata({ topics: [topic] });
      const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }] });
      const configs = new Map((described.resources[0]?.configEntries ?? []).map((e) => [e.configName, e.configValue]));
      return { partitions: meta.topics[0]?.partitions.length ?? 0, configs };
    } finally {
      await admin.disconnect();
    }
  }

  it('creates a topic and its .dlq, then changes nothing on a second run', async () => {
    const topic = uniqueName('kafka-lib-prov');
    const spec: TopicSpec = { topic, partitions: 3, replicationFactor: 1, configs: { 'cleanup.policy': 'compact', 'min.compaction.lag.ms': '1000' }, withDeadLetterTopic: true };
    const first = await h.provisioner.ensure([spec]);
    expect(first.map((r) => [r.topic, r.action])).toEqual([
      [topic, 'created'],
      [`${topic}.dlq`, 'created'],
    ]);
    const created = await describeTopic(topic);
    expect(created.partitions).toBe(3);
    expect(created.configs.get('cleanup.policy')).toBe('compact');
    expect((await describeTopic(`${topic}.dlq`)).configs.get('cleanup.policy')).toBe('delete');

    const second = await h.provisioner.ensure([spec]);
    expect(second.map((r) => r.action)).toEqual(['unchanged', 'unchanged']);
  });

  it('adds missing partitions and updates differing configs, keeping other overrides', async () => {
    const topic = uniqueName('kafka-lib-prov-grow');
    await h.provisioner.ensure([{ topic, partitions: 1, replicationFactor: 1, configs: { 'retention.ms': '3600000', 'max.message.bytes': '2000000' } }]);
    const [result] = await h.provisioner.ensure([{ topic, partitions: 4, replicationFactor: 1, configs: { 'retention.ms': '7200000' } }]);
    expect(result?.action).toBe('partitions-added+configs-updated');
    const after = await describeTopic(topic);
    expect(after.partitions).toBe(4);
    expect(after.configs.get('retention.ms')).toBe('7200000');
    expect(after.configs.get('max.message.bytes')).toBe('2000000');
  });

  it('reports a different cleanup policy or replication factor as TopicMismatchError, changing nothing', async () => {
    const topic = uniqueName('kafka-lib-prov-mismatch');
    await h.provisioner.ensure([{ topic, partitions: 2, replicationFactor: 1, configs: { 'cleanup.policy': 'delete' } }]);
    const attempt = h.provisioner.ensure([{ topic, partitions: 2, replicationFactor: 3, configs: { 'cleanup.policy': 'compact' } }]);
    await expect(attempt).rejects.toBeInstanceOf(TopicMismatchError);
    await expect(attempt).rejects.toThrow(new RegExp(`${topic}: cleanup.policy is delete, spec wants compact`));
    await expect(attempt).rejects.toThrow(/replication factor is 1, spec wants 3/);
    expect((await describeTopic(topic)).configs.get('cleanup.policy')).toBe('delete');
  });
});
