import pino from 'pino';
import { Registry } from 'prom-client';
import type { ClusterOffsets, ClusterOffsetsReader } from '../kafka/cluster-offsets.port';
import { GroupStatus } from '../domain/group-status';
import { LagMetrics } from '../metrics/lag.metrics';
import { LagMonitorService } from './lag-monitor.service';

/** Adapters replaced: the cluster reader is a scripted fake, the clock is manual, the registry is private. */
class ScriptedReader implements ClusterOffsetsReader {
  next: ClusterOffsets | Error = { groups: [], topics: [] };
  read(): Promise<ClusterOffsets> {
    return this.next instanceof Error ? Promise.reject(this.next) : Promise.resolve(this.next);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

function cluster(end: number, committed: number, members: number): ClusterOffsets {
  return {
    groups: [{ group: 'extractor', state: members > 0 ? 'Stable' : 'Empty', members, committed: [{ topic: 'image-arrived', partition: 0, offset: committed }] }],
    topics: [
      { topic: 'image-arrived', partitions: [{ partition: 0, lowOffset: 0, endOffset: end, hasLeader: true }] },
      { topic: 'vector-extracted', partitions: [{ partition: 0, lowOffset: 0, endOffset: 7, hasLeader: true }] },
    ],
  };
}

describe('LagMonitorService', () => {
  let registry: Registry;
  let reader: ScriptedReader;
  let clock: number;
  let monitor: LagMonitorService;

  beforeEach(() => {
    registry = new Registry();
    reader = new ScriptedReader();
    clock = 1_700_000_000_000;
    monitor = new LagMonitorService(
      reader,
      { pollIntervalMs: 10_000, windowSize: 3, timeTablePoints: 100, watchedTopics: [], acceptsGroup: () => true },
      new LagMetrics(registry),
      pino({ level: 'silent' }),
      () => clock,
    );
  });

  async function pollAt(offsets: ClusterOffsets): Promise<void> {
    reader.next = offsets;
    await monitor.pollOnce();
    clock += 10_000;
  }

  it('reports offset lag, estimated time lag and freshness', async () => {
    await pollAt(cluster(0, -1, 1));
    await pollAt(cluster(100, 40, 1)); // offsets 0..99 appended within the last 10 s
    const group = monitor.latest().groups[0];
    expect(group).toMatchObject({ group: 'extractor', state: 'Stable', members: 1, totalLag: 60, status: GroupStatus.OK, samples: 2 });
    // Offset 40 was appended 41 % of the way through (T0, T0+10s], read at T0+10s.
    expect(group?.partitions[0]?.lagSeconds).toBeCloseTo(5.9, 5);
    expect(monitor.latest().topics.find((t) => t.topic === 'image-arrived')?.lastProducedAt).toBe(new Date(1_700_000_010_000).toISOString());
    expect(monitor.latest().topics.find((t) => t.topic === 'vector-extracted')?.lastProducedAt).toBeNull();
  });

  it('counts lag from the earliest offset when the group never committed', async () => {
    await pollAt({ ...cluster(30, -1, 0), topics: [{ topic: 'image-arrived', partitions: [{ partition: 0, lowOffset: 10, endOffset: 30, hasLeader: true }] }] });
    expect(monitor.latest().groups[0]?.totalLag).toBe(20);
  });

  it('turns a full window without progress into STOP (no members) and STALL (members)', async () => {
    for (let i = 0; i < 3; i++) await pollAt(cluster(100, 40, 0));
    expect(monitor.latest().groups[0]?.status).toBe(GroupStatus.STOP);
    for (let i = 0; i < 3; i++) await pollAt(cluster(100, 40, 2));
    expect(monitor.latest().groups[0]?.status).toBe(GroupStatus.STALL);
    await pollAt(cluster(100, 100, 2));
    expect(monitor.latest().groups[0]?.status).toBe(GroupStatus.OK);
  });

  it('keeps the previous report when a poll fails, and counts the failure', async () => {
    await pollAt(cluster(10, 5, 1));
    const before = monitor.latest();
    reader.next = new Error('broker down');
    await monitor.pollOnce();
    expect(monitor.latest()).toBe(before);
    expect(await registry.getSingleMetricAsString('stylestream_lag_monitor_polls_total')).toContain('stylestream_lag_monitor_polls_total{outcome="failed"} 1');
  });

  it('forgets a group that disappeared', async () => {
    await pollAt(cluster(10, 5, 1));
    await pollAt({ groups: [], topics: [] });
    expect(monitor.latest().groups).toEqual([]);
    expect(await registry.getSingleMetricAsString('stylestream_consumer_lag_messages')).not.toContain('extractor');
  });
});
