import { kafkaJvmArgs, kafkaServerProperties } from './kafka-config';

function parse(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

const nodes = [1, 2, 3].map((id) => ({ nodeId: id, port: 9092 + (id - 1) * 100, controllerPort: 19093 + (id - 1) * 100 }));

describe('kafkaServerProperties', () => {
  it('configures one KRaft combined node with replication 1 on 127.0.0.1', () => {
    const p = parse(kafkaServerProperties({ node: nodes[0], cluster: [nodes[0]], logDir: '/d', autoCreateTopics: false }));
    expect(p).toMatchObject({
      'process.roles': 'broker,controller',
      'node.id': '1',
      'controller.quorum.voters': '1@127.0.0.1:19093',
      listeners: 'PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:19093',
      'advertised.listeners': 'PLAINTEXT://127.0.0.1:9092',
      'controller.listener.names': 'CONTROLLER',
      'offsets.topic.replication.factor': '1',
      'offsets.topic.num.partitions': '1',
      'transaction.state.log.min.isr': '1',
      'min.insync.replicas': '1',
      'group.initial.rebalance.delay.ms': '0',
      'auto.create.topics.enable': 'false',
      'log.dirs': '/d',
    });
  });

  it('gives a three-node cluster replication 3 and min ISR 2, each node its own ports', () => {
    const p = parse(kafkaServerProperties({ node: nodes[1], cluster: nodes, logDir: '/d2', autoCreateTopics: true }));
    expect(p['controller.quorum.voters']).toBe('1@127.0.0.1:19093,2@127.0.0.1:19193,3@127.0.0.1:19293');
    expect(p.listeners).toBe('PLAINTEXT://127.0.0.1:9192,CONTROLLER://127.0.0.1:19193');
    expect(p['default.replication.factor']).toBe('3');
    expect(p['min.insync.replicas']).toBe('2');
    expect(p['transaction.state.log.min.isr']).toBe('2');
    expect(p['auto.create.topics.enable']).toBe('true');
  });

  it('lets a broker try to register as long as the stack waits for it, never shorter than Kafka\'s 60 s', () => {
    const base = { node: nodes[0], cluster: nodes, logDir: '/d', autoCreateTopics: false };
    expect(parse(kafkaServerProperties({ ...base, registrationTimeoutMs: 300_000 }))['initial.broker.registration.timeout.ms']).toBe('300000');
    expect(parse(kafkaServerProperties({ ...base, registrationTimeoutMs: 30_000 }))['initial.broker.registration.timeout.ms']).toBeUndefined();
    expect(parse(kafkaServerProperties(base))['initial.broker.registration.timeout.ms']).toBeUndefined();
  });

  it('never uses 9093, which belongs to Alertmanager', () => {
    expect(kafkaServerProperties({ node: nodes[0], cluster: [nodes[0]], logDir: '/d', autoCreateTopics: false })).not.toContain(':9093');
  });
});

describe('kafkaJvmArgs', () => {
  it('fixes the heap and adds C1-only when asked', () => {
    expect(kafkaJvmArgs('512m', '/l.properties', true)).toEqual(expect.arrayContaining(['-Xms512m', '-Xmx512m', '-XX:TieredStopAtLevel=1', '-Dlog4j2.configurationFile=/l.properties']));
    expect(kafkaJvmArgs('512m', '/l.properties', false)).not.toContain('-XX:TieredStopAtLevel=1');
  });
});
