import { CHAIN_TOPICS, dlqTopicOf } from '@stylestream/schemas';

/** What a topic must look like. `configs` are Kafka topic configs (e.g. cleanup.policy). */
export interface TopicSpec {
  readonly topic: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly configs?: Readonly<Record<string, string>>;
  /** Also provision `<topic>.dlq` (same partitions and replication; delete policy, long retention). */
  readonly withDeadLetterTopic?: boolean;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Dead-letter topics are never compacted: compaction by key would drop an
 * older poison record of the same image. They keep records for 30 days.
 */
export const DEAD_LETTER_TOPIC_CONFIGS = { 'cleanup.policy': 'delete', 'retention.ms': String(30 * DAY_MS) } as const;

/** The spec of `<spec.topic>.dlq`. */
export function deadLetterSpecOf(spec: TopicSpec): TopicSpec {
  return {
    topic: dlqTopicOf(spec.topic),
    partitions: spec.partitions,
    replicationFactor: spec.replicationFactor,
    configs: DEAD_LETTER_TOPIC_CONFIGS,
  };
}

/**
 * The four chain topics, each with its dead-letter topic. Chain topics use
 * the delete policy with 7 days' retention: they are the replay log, and a
 * take-down is a tombstone that must flow, not a compaction marker.
 */
export function chainTopicSpecs(defaults: { partitions: number; replicationFactor: number }): TopicSpec[] {
  return CHAIN_TOPICS.map((topic) => ({
    topic,
    partitions: defaults.partitions,
    replicationFactor: defaults.replicationFactor,
    configs: { 'cleanup.policy': 'delete', 'retention.ms': String(7 * DAY_MS) },
    withDeadLetterTopic: true,
  }));
}
