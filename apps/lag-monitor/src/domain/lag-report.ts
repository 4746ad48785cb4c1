import type { GroupStatus } from './group-status';

/** Lag of one group on one partition at the latest poll. */
export interface PartitionLag {
  readonly topic: string;
  readonly partition: number;
  readonly committedOffset: number;
  readonly endOffset: number;
  readonly lag: number;
  /** Estimated age of the oldest unconsumed message; 0 when caught up. */
  readonly lagSeconds: number;
  /** True when the message is older than the monitor's memory: the real age is at least `lagSeconds`. */
  readonly lagSecondsIsLowerBound: boolean;
  readonly status: GroupStatus;
}

/** One consumer group at the latest poll. */
export interface GroupLag {
  readonly group: string;
  /** Kafka group state: Stable, Empty, PreparingRebalance, CompletingRebalance, Dead, Unknown. */
  readonly state: string;
  readonly members: number;
  readonly status: GroupStatus;
  readonly totalLag: number;
  readonly maxLagSeconds: number;
  /** Samples held for the judgement; the status needs `windowSize` of them to say WARN/STALL/STOP. */
  readonly samples: number;
  readonly windowSize: number;
  readonly partitions: readonly PartitionLag[];
}

/** Freshness of one topic. */
export interface TopicFreshness {
  readonly topic: string;
  /** Sum of the partitions' log end offsets: grows by one per produced message. */
  readonly endOffset: number;
  /** When the end offset was last seen to advance (ISO time); null until an advance is seen. */
  readonly lastProducedAt: string | null;
}

/** What GET /v1/lag returns and the metrics show. */
export interface LagReport {
  /** When the poll that produced it finished (ISO time); null before the first poll. */
  readonly polledAt: string | null;
  readonly pollIntervalMs: number;
  readonly groups: readonly GroupLag[];
  readonly topics: readonly TopicFreshness[];
}
