/** Last applied offset of one input partition. Offsets are Avro longs read as numbers (exact below 2^53). */
export interface PartitionOffset {
  /** Input topic; null means vector-cleaned. */
  topic?: string | null;
  partition: number;
  offset: number;
}

/** Operation counts of one applied batch; every count defaults to 0. */
export interface IndexOpCounts {
  added: number;
  replaced: number;
  deleted: number;
  skipped: number;
}

/** Value of topic `index-updated` (key = shardId). */
export interface IndexUpdated {
  shardId: string;
  partitions: PartitionOffset[];
  ops: IndexOpCounts;
  vectorCount: number;
  snapshotVersion: number;
  sealed: boolean;
  /** ms since the Unix epoch (timestamp-millis). */
  at: number;
}
