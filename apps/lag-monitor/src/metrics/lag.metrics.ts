import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { GROUP_STATUSES } from '../domain/group-status';
import type { LagReport } from '../domain/lag-report';

/**
 * The lag monitor's series. Every poll replaces the gauges whole (reset, then
 * set), so a group or topic that disappeared stops being exported instead of
 * freezing at its last value. Labels are bounded: group ids, topic names,
 * partition numbers and the six statuses.
 */
export class LagMetrics {
  private readonly lagMessages: Gauge<'group' | 'topic' | 'partition'>;
  private readonly lagSeconds: Gauge<'group' | 'topic' | 'partition'>;
  private readonly committedOffset: Gauge<'group' | 'topic' | 'partition'>;
  private readonly groupStatus: Gauge<'group' | 'status'>;
  private readonly groupMembers: Gauge<'group'>;
  private readonly topicEndOffset: Gauge<'topic'>;
  private readonly topicLastProduced: Gauge<'topic'>;
  private readonly polls: Counter<'outcome'>;
  private readonly pollDuration: Histogram;
  private readonly lastPoll: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    const partitionLabels = ['group', 'topic', 'partition'] as const;
    this.lagMessages = new Gauge({ name: 'stylestream_consumer_lag_messages', help: 'Messages between the committed offset of a group and the log end offset, per partition.', labelNames: partitionLabels, registers });
    this.lagSeconds = new Gauge({ name: 'stylestream_consumer_lag_seconds', help: 'Estimated age of the oldest message a group has not consumed, per partition (0 when caught up).', labelNames: partitionLabels, registers });
    this.committedOffset = new Gauge({ name: 'stylestream_consumer_committed_offset', help: 'Committed offset of a group per partition (-1: never committed).', labelNames: partitionLabels, registers });
    this.groupStatus = new Gauge({ name: 'stylestream_consumer_group_status', help: 'Burrow-style status of a consumer group: 1 for the current status, 0 for the others.', labelNames: ['group', 'status'] as const, registers });
    this.groupMembers = new Gauge({ name: 'stylestream_consumer_group_members', help: 'Members of a consumer group.', labelNames: ['group'] as const, registers });
    this.topicEndOffset = new Gauge({ name: 'stylestream_topic_end_offset', help: 'Sum of the log end offsets of a topic: grows by one per produced message.', labelNames: ['topic'] as const, registers });
    this.topicLastProduced = new Gauge({ name: 'stylestream_topic_last_produced_timestamp_seconds', help: 'When the end offset of a topic was last seen to advance (unix seconds); absent until one advance is seen.', labelNames: ['topic'] as const, registers });
    this.polls = new Counter({ name: 'stylestream_lag_monitor_polls_total', help: 'Polls of the cluster by the lag monitor, by outcome (ok, failed).', labelNames: ['outcome'] as const, registers });
    this.pollDuration = new Histogram({ name: 'stylestream_lag_monitor_poll_duration_seconds', help: 'Time one poll of the cluster took.', buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers });
    this.lastPoll = new Gauge({ name: 'stylestream_lag_monitor_last_success_timestamp_seconds', help: 'When the last successful poll finished (unix seconds).', registers });
    this.polls.inc({ outcome: 'ok' }, 0);
    this.polls.inc({ outcome: 'failed' }, 0);
  }

  publish(report: LagReport): void {
    for (const gauge of [this.lagMessages, this.lagSeconds, this.committedOffset, this.groupStatus, this.groupMembers, this.topicEndOffset, this.topicLastProduced]) {
      gauge.reset();
    }
    for (const group of report.groups) {
      this.groupMembers.set({ group: group.group }, group.members);
      for (const status of GROUP_STATUSES) this.groupStatus.set({ group: group.group, status }, status === group.status ? 1 : 0);
      for (const p of group.partitions) {
        const labels = { group: group.group, topic: p.topic, partition: String(p.partition) };
        this.lagMessages.set(labels, p.lag);
        this.lagSeconds.set(labels, p.lagSeconds);
        this.committedOffset.set(labels, p.committedOffset);
      }
    }
    for (const topic of report.topics) {
      this.topicEndOffset.set({ topic: topic.topic }, topic.endOffset);
      if (topic.lastProducedAt !== null) this.topicLastProduced.set({ topic: topic.topic }, Date.parse(topic.lastProducedAt) / 1000);
    }
    if (report.polledAt !== null) this.lastPoll.set(Date.parse(report.polledAt) / 1000);
  }

  pollSucceeded(seconds: number): void {
    this.polls.inc({ outcome: 'ok' });
    this.pollDuration.observe(seconds);
  }

  pollFailed(seconds: number): void {
    this.polls.inc({ outcome: 'failed' });
    this.pollDuration.observe(seconds);
  }
}
