/**
 * The lag monitor in-process against the real local stack. Real: Kafka
 * (admin reads, a real consumer group that commits part of a unique topic)
 * and Prometheus (scrapes the monitor through a file_sd target file). Short
 * windows: one poll every 300 ms, a window of 4 samples.
 */
import { join, resolve } from 'node:path';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import pino from 'pino';
import request from 'supertest';
import { loadConfig } from '@stylestream/config';
import { createTopics, stack, uniqueName, waitFor } from '@stylestream/test-support';
import { GroupStatus } from '../src/domain/group-status';
import type { GroupLag, LagReport } from '../src/domain/lag-report';
import { lagMonitorConfigSchema } from '../src/lag-monitor.config';
import { startLagMonitor, type RunningLagMonitor } from '../src/lag-monitor.runtime';

jest.setTimeout(120_000);

const repo = resolve(__dirname, '..', '..', '..');
const targetsDir = join(process.env.STACK_DIR ?? join(repo, '.stack'), 'conf', 'prometheus', 'targets');

describe('lag monitor against the local stack', () => {
  const topic = uniqueName('lag-monitor-test');
  const group = uniqueName('lag-monitor-group');
  const kafka = new Kafka({ brokers: stack.brokers, clientId: 'lag-monitor-test', logLevel: logLevel.NOTHING });
  let monitor: RunningLagMonitor;
  let consumer: Consumer | undefined;

  beforeAll(async () => {
    await createTopics([topic], 1);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })) });
    await producer.disconnect();
    const config = loadConfig(lagMonitorConfigSchema, {
      KAFKA_BROKERS: stack.brokers.join(','),
      PORT: '0',
      LAG_MONITOR_POLL_INTERVAL_MS: '300',
      LAG_MONITOR_WINDOW_SAMPLES: '4',
      LAG_MONITOR_GROUPS: group,
      LAG_MONITOR_WATCH_TOPICS: topic,
      LAG_MONITOR_TARGET_FILE: join(targetsDir, `${group}.json`),
    });
    monitor = await startLagMonitor(config, pino({ level: 'silent' }));
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await monitor?.close();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteGroups([group]).catch(() => undefined);
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  async function groupLag(): Promise<GroupLag | undefined> {
    const res = await request(monitor.app.getHttpServer()).get('/v1/lag').expect(200);
    return (res.body as LagReport).groups.find((g) => g.group === group);
  }

  it('sees the group consume 4 of 10 messages and stall, then stop when it leaves', async () => {
    consumer = kafka.consumer({ groupId: group, sessionTimeout: 6000, heartbeatInterval: 500 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    let seen = 0;
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        seen += 1;
        if (Number(message.offset) === 3) {
          await consumer?.commitOffsets([{ topic, partition: 0, offset: '4' }]);
          consumer?.pause([{ topic }]); // alive in the group, never moves again: a stalled consumer
        }
      },
    });

    const stalled = await waitFor(
      async () => {
        const g = await groupLag();
        return g?.status === GroupStatus.STALL ? g : undefined;
      },
      { timeoutMs: 40_000, intervalMs: 200, what: 'status STALL' },
    );
    expect(seen).toBeGreaterThanOrEqual(4);
    expect(stalled.members).toBe(1);
    expect(stalled.totalLag).toBe(6);
    expect(stalled.partitions).toEqual([
      expect.objectContaining({ topic, partition: 0, committedOffset: 4, endOffset: 10, lag: 6, status: 'STALL' }),
    ]);
    expect(stalled.partitions[0]?.lagSeconds).toBeGreaterThan(0);

    const metrics = await request(monitor.app.getHttpServer()).get('/metrics').expect(200);
    expect(metrics.text).toContain(`stylestream_consumer_lag_messages{group="${group}",topic="${topic}",partition="0"} 6`);
    expect(metrics.text).toContain(`stylestream_consumer_group_status{group="${group}",status="STALL"} 1`);
    expect(metrics.text).toContain(`stylestream_topic_end_offset{topic="${topic}"} 10`);

    await consumer.disconnect();
    consumer = undefined;
    const stopped = await waitFor(
      async () => {
        const g = await groupLag();
        return g?.status === GroupStatus.STOP ? g : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: 'status STOP' },
    );
    expect(stopped.members).toBe(0);
    expect(stopped.state).toBe('Empty');
    expect(stopped.totalLag).toBe(6);
  });

  it('is scraped by the local Prometheus through its file_sd target file', async () => {
    const query = `stylestream_consumer_lag_messages{group="${group}",app="lag-monitor"}`;
    const value = await waitFor(
      async () => {
        const res = await fetch(`${stack.prometheusUrl}/api/v1/query?query=${encodeURIComponent(query)}`);
        const body = (await res.json()) as { data: { result: Array<{ value: [number, string] }> } };
        return body.data.result[0]?.value[1];
      },
      { timeoutMs: 60_000, intervalMs: 1000, what: `Prometheus to return ${query}` },
    );
    expect(value).toBe('6');
  });
});
