/** Offsets of one partition of a topic. */
export interface PartitionOffsets {
  readonly partition: number;
  /** Earliest offset still in the log. */
  readonly lowOffset: number;
  /** Log end offset. */
  readonly endOffset: number;
  readonly hasLeader: boolean;
}

export interface TopicOffsets {
  readonly topic: string;
  readonly partitions: readonly PartitionOffsets[];
}

export interface GroupOffsets {
  readonly group: string;
  readonly state: string;
  readonly members: number;
  /** Committed offsets on every partition of every topic the group commits on or is assigned; -1 = never committed. */
  readonly committed: ReadonlyArray<{ readonly topic: string; readonly partition: number; readonly offset: number }>;
}

/** What one poll reads from the cluster. */
export interface ClusterOffsets {
  readonly groups: readonly GroupOffsets[];
  /** Offsets of every topic a reported group consumes plus the watched topics that exist. */
  readonly topics: readonly TopicOffsets[];
}

/**
 * Reads consumer-group and topic offsets from the cluster.
 * `read` is called once per poll, never concurrently; it rejects with a
 * retriable DependencyUnavailableError when the cluster cannot be read (the
 * poll is skipped and counted as failed; the next poll tries again).
 * A group or topic that vanishes between the calls of one read is left out.
 * `close` is called once, on shutdown.
 */
export interface ClusterOffsetsReader {
  read(acceptsGroup: (group: string) => boolean, watchedTopics: readonly string[]): Promise<ClusterOffsets>;
  close(): Promise<void>;
}

export const CLUSTER_OFFSETS_READER = Symbol('ClusterOffsetsReader');
