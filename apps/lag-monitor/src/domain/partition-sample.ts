/** One observation of one partition a group consumes, taken by one poll. */
export interface PartitionSample {
  /** When the poll read the offsets (ms since epoch). */
  readonly observedAtMs: number;
  /** The group's committed offset (next offset to consume), or -1 if it never committed on this partition. */
  readonly committedOffset: number;
  /** The partition's log end offset (offset the next produced message gets). */
  readonly endOffset: number;
  /** Messages between the committed offset (or the earliest offset when none) and the end. Never negative. */
  readonly lag: number;
  /** Members of the group at that poll; 0 when the group is Empty or Dead. */
  readonly members: number;
  /** False when the partition had no leader at that poll. */
  readonly hasLeader: boolean;
}
