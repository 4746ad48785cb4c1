import { ConfigError } from '@stylestream/errors';
import { RETRY_POLICIES } from '../delivery/retry-policy';
import { kafkaEnvSchema, loadKafkaConfig, toKafkaConfig } from './kafka.config';

describe('loadKafkaConfig', () => {
  it('has working defaults for the local stack', () => {
    const config = loadKafkaConfig({});
    expect(config.brokers).toEqual(['127.0.0.1:9092']);
    expect(config.retryPolicy).toEqual(RETRY_POLICIES.default);
    expect(config.consumer.partitionsConcurrency).toBe(4);
  });

  it('reads brokers, group and the test retry profile with single-field overrides', () => {
    const config = loadKafkaConfig({ KAFKA_BROKERS: 'a:1, b:2', KAFKA_GROUP_ID: 'extractor', KAFKA_RETRY_PROFILE: 'test', KAFKA_RETRY_MAX_ATTEMPTS: '2' });
    expect(config.brokers).toEqual(['a:1', 'b:2']);
    expect(config.groupId).toBe('extractor');
    expect(config.retryPolicy).toEqual({ ...RETRY_POLICIES.test, maxAttempts: 2 });
  });

  it('names every bad variable', () => {
    let error: unknown;
    try {
      loadKafkaConfig({ KAFKA_BROKERS: ' , ', KAFKA_PARTITIONS_CONCURRENCY: 'many', KAFKA_RETRY_PROFILE: 'yolo', KAFKA_RETRY_JITTER: '3' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    for (const name of ['KAFKA_BROKERS', 'KAFKA_PARTITIONS_CONCURRENCY', 'KAFKA_RETRY_PROFILE', 'KAFKA_RETRY_JITTER']) expect(message).toContain(name);
  });

  it('rejects a max delay below the initial delay, by name', () => {
    expect(() => loadKafkaConfig({ KAFKA_RETRY_INITIAL_DELAY_MS: '500', KAFKA_RETRY_MAX_DELAY_MS: '100' })).toThrow(/KAFKA_RETRY_MAX_DELAY_MS/);
  });

  it('applies the cross-field checks when an app maps its own extended schema', () => {
    const vars = kafkaEnvSchema.parse({ KAFKA_HEARTBEAT_INTERVAL_MS: '20000', KAFKA_SESSION_TIMEOUT_MS: '30000' });
    expect(() => toKafkaConfig(vars)).toThrow(ConfigError);
    expect(() => toKafkaConfig(vars)).toThrow(/KAFKA_HEARTBEAT_INTERVAL_MS/);
  });
});
