import type { Logger } from 'pino';
import { reasonOf } from '@stylestream/errors';
import type { ClusterOffsets, ClusterOffsetsReader, PartitionOffsets } from '../kafka/cluster-offsets.port';
import { GroupStatus, worseStatus } from '../domain/group-status';
import type { GroupLag, LagReport, PartitionLag, TopicFreshness } from '../domain/lag-report';
import { OffsetTimeTable } from '../domain/offset-time-table';
import type { PartitionSample } from '../domain/partition-sample';
import { evaluatePartition } from '../domain/status-evaluator';
import type { LagMetrics } from '../metrics/lag.metrics';
import type { LagMonitorSettings } from './lag-monitor.settings';

/**
 * Polls the cluster every interval (polls never overlap), keeps a sliding
 * window of samples per group/topic/partition and an offset→time table per
 * partition, and turns each poll into a LagReport that the metrics and
 * GET /v1/lag show. A failed poll keeps the previous report and is counted.
 */
export class LagMonitorService {
  private readonly windows = new Map<string, PartitionSample[]>();
  private readonly tables = new Map<string, OffsetTimeTable>();
  private report: LagReport;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly reader: ClusterOffsetsReader,
    private readonly settings: LagMonitorSettings,
    private readonly metrics: LagMetrics,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.report = { polledAt: null, pollIntervalMs: settings.pollIntervalMs, groups: [], topics: [] };
  }

  /** The latest report (empty before the first successful poll). */
  latest(): LagReport {
    return this.report;
  }

  /** Starts polling now and every interval after the previous poll ends. */
  start(): void {
    this.stopped = false;
    const loop = (): void => {
      this.running = this.pollOnce().finally(() => {
        if (!this.stopped) this.timer = setTimeout(loop, this.settings.pollIntervalMs);
      });
    };
    loop();
  }

  /** Stops polling, waits for a poll in flight, closes the reader. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.running;
    await this.reader.close();
  }

  /** One poll: read, record, evaluate, publish. Never rejects; a failure is logged and counted. */
  async pollOnce(): Promise<void> {
    const started = this.now();
    try {
      const offsets = await this.reader.read(this.settings.acceptsGroup, this.settings.watchedTopics);
      this.report = this.apply(offsets, this.now());
      this.metrics.publish(this.report);
      this.metrics.pollSucceeded((this.now() - started) / 1000);
    } catch (err) {
      this.metrics.pollFailed((this.now() - started) / 1000);
      this.logger.warn({ reason: reasonOf(err) }, 'lag poll failed; keeping the previous report');
    }
  }

  private apply(offsets: ClusterOffsets, atMs: number): LagReport {
    const partitions = new Map<string, PartitionOffsets>();
    const topics: TopicFreshness[] = [];
    for (const topic of offsets.topics) {
      let lastProduced: number | undefined;
      for (const p of topic.partitions) {
        partitions.set(key(topic.topic, p.partition), p);
        const table = this.tableOf(topic.topic, p.partition);
        table.record(p.endOffset, atMs);
        const advanced = table.lastAdvancedAtMs();
        if (advanced !== undefined && (lastProduced === undefined || advanced > lastProduced)) lastProduced = advanced;
      }
      topics.push({
        topic: topic.topic,
        endOffset: topic.partitions.reduce((sum, p) => sum + p.endOffset, 0),
        lastProducedAt: lastProduced === undefined ? null : new Date(lastProduced).toISOString(),
      });
    }

    const seen = new Set<string>();
    const groups: GroupLag[] = offsets.groups.map((group) => {
      let status = GroupStatus.OK;
      let samples = 0;
      const lags: PartitionLag[] = [];
      for (const c of group.committed) {
        const p = partitions.get(key(c.topic, c.partition));
        if (p === undefined) continue;
        const from = c.offset < 0 ? p.lowOffset : c.offset;
        const lag = Math.max(0, p.endOffset - from);
        const age = lag === 0 ? { seconds: 0, lowerBound: false } : this.tableOf(c.topic, c.partition).ageOf(from, atMs);
        const windowKey = key(group.group, c.topic, c.partition);
        seen.add(windowKey);
        const window = this.windows.get(windowKey) ?? [];
        window.push({ observedAtMs: atMs, committedOffset: c.offset, endOffset: p.endOffset, lag, members: group.members, hasLeader: p.hasLeader });
        if (window.length > this.settings.windowSize) window.shift();
        this.windows.set(windowKey, window);
        const partitionStatus = evaluatePartition(window, this.settings.windowSize);
        status = worseStatus(status, partitionStatus);
        samples = Math.max(samples, window.length);
        lags.push({
          topic: c.topic,
          partition: c.partition,
          committedOffset: c.offset,
          endOffset: p.endOffset,
          lag,
          lagSeconds: age.seconds,
          lagSecondsIsLowerBound: age.lowerBound,
          status: partitionStatus,
        });
      }
      return {
        group: group.group,
        state: group.state,
        members: group.members,
        status,
        totalLag: lags.reduce((sum, l) => sum + l.lag, 0),
        maxLagSeconds: lags.reduce((max, l) => Math.max(max, l.lagSeconds), 0),
        samples,
        windowSize: this.settings.windowSize,
        partitions: lags,
      };
    });
    // Forget groups and partitions that are gone, so memory follows the cluster.
    for (const windowKey of this.windows.keys()) if (!seen.has(windowKey)) this.windows.delete(windowKey);
    for (const tableKey of this.tables.keys()) if (!partitions.has(tableKey)) this.tables.delete(tableKey);

    return { polledAt: new Date(atMs).toISOString(), pollIntervalMs: this.settings.pollIntervalMs, groups, topics };
  }

  private tableOf(topic: string, partition: number): OffsetTimeTable {
    const tableKey = key(topic, partition);
    let table = this.tables.get(tableKey);
    if (table === undefined) {
      table = new OffsetTimeTable(this.settings.timeTablePoints);
      this.tables.set(tableKey, table);
    }
    return table;
  }
}

function key(...parts: Array<string | number>): string {
  return parts.join('\u0000');
}
