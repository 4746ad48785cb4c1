import { Registry } from 'prom-client';
import { GroupStatus } from '../domain/group-status';
import type { LagReport } from '../domain/lag-report';
import { LagMetrics } from './lag.metrics';

const report: LagReport = {
  polledAt: '2025-01-01T00:00:10.000Z',
  pollIntervalMs: 15_000,
  groups: [
    {
      group: 'extractor',
      state: 'Stable',
      members: 2,
      status: GroupStatus.STALL,
      totalLag: 42,
      maxLagSeconds: 30,
      samples: 10,
      windowSize: 10,
      partitions: [{ topic: 'image-arrived', partition: 3, committedOffset: 100, endOffset: 142, lag: 42, lagSeconds: 30, lagSecondsIsLowerBound: false, status: GroupStatus.STALL }],
    },
  ],
  topics: [
    { topic: 'image-arrived', endOffset: 142, lastProducedAt: '2025-01-01T00:00:05.000Z' },
    { topic: 'vector-extracted', endOffset: 7, lastProducedAt: null },
  ],
};

describe('LagMetrics', () => {
  let registry: Registry;
  let metrics: LagMetrics;
  beforeEach(() => {
    registry = new Registry();
    metrics = new LagMetrics(registry);
  });

  it('renders lag, status (one-hot), members and topic freshness in the text exposition', async () => {
    metrics.publish(report);
    const text = await registry.metrics();
    expect(text).toContain('stylestream_consumer_lag_messages{group="extractor",topic="image-arrived",partition="3"} 42');
    expect(text).toContain('stylestream_consumer_lag_seconds{group="extractor",topic="image-arrived",partition="3"} 30');
    expect(text).toContain('stylestream_consumer_committed_offset{group="extractor",topic="image-arrived",partition="3"} 100');
    expect(text).toContain('stylestream_consumer_group_status{group="extractor",status="STALL"} 1');
    for (const status of ['OK', 'WARN', 'REWIND', 'STOP', 'ERROR']) {
      expect(text).toContain(`stylestream_consumer_group_status{group="extractor",status="${status}"} 0`);
    }
    expect(text).toContain('stylestream_consumer_group_members{group="extractor"} 2');
    expect(text).toContain('stylestream_topic_end_offset{topic="image-arrived"} 142');
    expect(text).toContain('stylestream_topic_end_offset{topic="vector-extracted"} 7');
    expect(text).toContain('stylestream_topic_last_produced_timestamp_seconds{topic="image-arrived"} 1735689605');
    expect(text).not.toContain('stylestream_topic_last_produced_timestamp_seconds{topic="vector-extracted"}');
    expect(text).toContain('stylestream_lag_monitor_last_success_timestamp_seconds 1735689610');
    expect(text).toContain('# TYPE stylestream_consumer_lag_messages gauge');
  });

  it('replaces the series whole on each publish', async () => {
    metrics.publish(report);
    metrics.publish({ ...report, groups: [], topics: [] });
    const text = await registry.metrics();
    expect(text).not.toContain('group="extractor"');
    expect(text).not.toContain('topic="image-arrived"');
  });

  it('exports both poll outcomes from the start, so rate() works before the first failure', async () => {
    const text = await registry.metrics();
    expect(text).toContain('stylestream_lag_monitor_polls_total{outcome="ok"} 0');
    expect(text).toContain('stylestream_lag_monitor_polls_total{outcome="failed"} 0');
  });
});
