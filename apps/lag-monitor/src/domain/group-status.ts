/**
 * Burrow-style status of a consumer group (and of each of its partitions),
 * judged over a sliding window of samples. See docs/DESIGN.md §14.
 */
export enum GroupStatus {
  /** Caught up at least once in the window, or progressing with lag going down, or too few samples to judge. */
  OK = 'OK',
  /** The committed offset moves, but lag stayed equal or grew between every pair of samples of a full window. */
  WARN = 'WARN',
  /** The committed offset went backwards (offset reset, replay). */
  REWIND = 'REWIND',
  /** Members are in the group, but the committed offset did not move over a full window while lag > 0. */
  STALL = 'STALL',
  /** No member in the group and the committed offset did not move over a full window while lag > 0. */
  STOP = 'STOP',
  /** A partition the group consumes has no leader: nobody can consume it. */
  ERROR = 'ERROR',
}

/** Every status, in rising severity: the group's status is the worst of its partitions'. */
export const GROUP_STATUSES: readonly GroupStatus[] = [
  GroupStatus.OK,
  GroupStatus.WARN,
  GroupStatus.REWIND,
  GroupStatus.STALL,
  GroupStatus.STOP,
  GroupStatus.ERROR,
];

/** The more severe of two statuses. */
export function worseStatus(a: GroupStatus, b: GroupStatus): GroupStatus {
  return GROUP_STATUSES.indexOf(a) >= GROUP_STATUSES.indexOf(b) ? a : b;
}
