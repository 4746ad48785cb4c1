import { ConfigError } from '@stylestream/errors';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientEnvironment, defaultStackDir, kafkaNodePorts, loadStackSettings } from './stack-settings';

describe('loadStackSettings', () => {
  it('defaults to the standard ports and <repo>/.stack', () => {
    const s = loadStackSettings({}, '/repo');
    expect(s.stackDir).toBe('/repo/.stack');
    expect([s.kafka.port, s.kafka.controllerPort, s.schemaRegistry.port, s.elasticsearch.port, s.prometheus.port, s.alertmanager.port]).toEqual([
      9092, 19093, 8081, 9200, 9090, 9093,
    ]);
    expect(s.kafka.autoCreateTopics).toBe(false);
    expect(s.jvmC1Only).toBe(true);
  });

  it('takes every port and the stack dir from the environment, so a second copy can run', () => {
    const s = loadStackSettings({ STACK_DIR: '/tmp/other', STACK_KAFKA_PORT: '29092', STACK_ALERTMANAGER_PORT: '29093', STACK_KAFKA_AUTO_CREATE_TOPICS: 'true' }, '/repo');
    expect(s.stackDir).toBe('/tmp/other');
    expect(s.kafka.port).toBe(29092);
    expect(s.alertmanager.port).toBe(29093);
    expect(s.kafka.autoCreateTopics).toBe(true);
  });

  it('takes the start deadlines of Kafka and Elasticsearch from the environment (default 90 s)', () => {
    const d = loadStackSettings({}, '/repo');
    expect([d.kafka.startDeadlineMs, d.elasticsearch.startDeadlineMs]).toEqual([90_000, 90_000]);
    const s = loadStackSettings({ STACK_KAFKA_START_DEADLINE_S: '300', STACK_ELASTICSEARCH_START_DEADLINE_S: '600' }, '/repo');
    expect([s.kafka.startDeadlineMs, s.elasticsearch.startDeadlineMs]).toEqual([300_000, 600_000]);
    expect(() => loadStackSettings({ STACK_ELASTICSEARCH_START_DEADLINE_S: '0' }, '/repo')).toThrow(ConfigError);
  });

  it('names every bad variable', () => {
    expect(() => loadStackSettings({ STACK_KAFKA_PORT: 'abc', STACK_KAFKA_HEAP: 'lots' }, '/repo')).toThrow(ConfigError);
    try {
      loadStackSettings({ STACK_KAFKA_PORT: 'abc', STACK_KAFKA_HEAP: 'lots' }, '/repo');
    } catch (err) {
      expect((err as ConfigError).problems.join('\n')).toMatch(/STACK_KAFKA_PORT[\s\S]*STACK_KAFKA_HEAP/);
    }
  });

  it('spaces broker ports by the step and lists them for clients', () => {
    const s = loadStackSettings({}, '/repo');
    expect(kafkaNodePorts(s, 3)).toEqual({ port: 9292, controllerPort: 19293 });
    expect(clientEnvironment(s, 3)).toMatchObject({
      KAFKA_BROKERS: '127.0.0.1:9092,127.0.0.1:9192,127.0.0.1:9292',
      SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081',
      ELASTICSEARCH_URL: 'http://127.0.0.1:9200',
    });
  });
});

describe('defaultStackDir', () => {
  const asRoot = process.getuid?.() === 0 ? it : it.skip;

  asRoot('moves the stack under /var/tmp when Elasticsearch\'s user cannot enter the clone', () => {
    const home = mkdtempSync(join(tmpdir(), 'stack-home-'));
    try {
      const repo = join(home, 'clone');
      mkdirSync(repo);
      chmodSync(home, 0o700);
      const dir = defaultStackDir(repo, 'nobody');
      expect(dir).toMatch(/^\/var\/tmp\/stylestream-stack-[0-9a-f]{10}$/);
      expect(defaultStackDir(repo, 'nobody')).toBe(dir);
      chmodSync(home, 0o755);
      expect(defaultStackDir(repo, 'nobody')).toBe(join(repo, '.stack'));
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
