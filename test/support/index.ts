import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';

/** Addresses of the local stack that integration tests talk to (override by env). */
export const stack = {
  brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
  registryUrl: process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081',
  elasticsearchUrl: process.env.ELASTICSEARCH_URL ?? 'http://127.0.0.1:9200',
  prometheusUrl: process.env.PROMETHEUS_URL ?? 'http://127.0.0.1:9090',
  alertmanagerUrl: process.env.ALERTMANAGER_URL ?? 'http://127.0.0.1:9093',
};

/** A name unique to this test run, for topics, groups and subjects. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/**
 * Polls `probe` until it returns a value other than undefined/false, or fails
 * after `timeoutMs` with the last error seen. Never a fixed sleep.
 */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 20_000, intervalMs = 100, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  const suffix = lastError instanceof Error ? `; last error: ${lastError.message}` : '';
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${suffix}`);
}

/**
 * Creates test topics (the local broker does not auto-create topics, like a
 * production cluster). Resolves once every partition has a leader.
 */
export async function createTopics(topics: readonly string[], numPartitions = 1): Promise<void> {
  const { Kafka, logLevel } = await import('kafkajs');
  const admin = new Kafka({ brokers: stack.brokers, clientId: 'test-support', logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    // A busy single-broker KRaft cluster can briefly answer metadata with no controller (id -1): ask again.
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions })), waitForLeaders: true });
        return;
      } catch (err) {
        if ((err as Error).name !== 'KafkaJSBrokerNotFound' || attempt >= 10) throw err;
        await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
      }
    }
  } finally {
    await admin.disconnect();
  }
}

/** Deterministic numbers in [0, 1) from a 32-bit seed (mulberry32): reproducible test and benchmark data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A TCP port on 127.0.0.1 nothing listens on right now (the OS picks it; bound, read, released). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export { exactTopRows, seededUnitVectors } from './seeded-vectors';
