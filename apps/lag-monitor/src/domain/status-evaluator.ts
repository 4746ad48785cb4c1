import { GroupStatus, worseStatus } from './group-status';
import type { PartitionSample } from './partition-sample';

/**
 * Judges one partition from its window of samples, oldest first. Pure.
 * `windowSize` is the number of samples a full window holds: WARN, STALL and
 * STOP need a full window (too little evidence otherwise); REWIND and ERROR
 * are seen at once. The rules, in order:
 * 1. no leader at the latest sample → ERROR;
 * 2. the committed offset went backwards between two samples → REWIND;
 * 3. lag was 0 at any sample, or the window is not full → OK;
 * 4. the committed offset did not move over the window → STALL if the group
 *    has members (alive but stuck), STOP if it has none;
 * 5. lag stayed equal or grew between every pair of samples → WARN;
 * 6. otherwise → OK (progressing, lag came down at least once).
 */
export function evaluatePartition(window: readonly PartitionSample[], windowSize: number): GroupStatus {
  const latest = window.at(-1);
  if (latest === undefined) return GroupStatus.OK;
  if (!latest.hasLeader) return GroupStatus.ERROR;
  if (pairs(window).some(([a, b]) => a.committedOffset >= 0 && b.committedOffset >= 0 && b.committedOffset < a.committedOffset)) {
    return GroupStatus.REWIND;
  }
  if (window.some((s) => s.lag === 0) || window.length < windowSize) return GroupStatus.OK;
  const first = window[0];
  if (first.committedOffset === latest.committedOffset) {
    return latest.members > 0 ? GroupStatus.STALL : GroupStatus.STOP;
  }
  if (pairs(window).every(([a, b]) => b.lag >= a.lag)) return GroupStatus.WARN;
  return GroupStatus.OK;
}

/** A group's status: the worst of its partitions' (OK for a group with no partitions). */
export function evaluateGroup(windows: Iterable<readonly PartitionSample[]>, windowSize: number): GroupStatus {
  let status = GroupStatus.OK;
  for (const window of windows) status = worseStatus(status, evaluatePartition(window, windowSize));
  return status;
}

function pairs<T>(items: readonly T[]): Array<[T, T]> {
  const out: Array<[T, T]> = [];
  for (let i = 1; i < items.length; i++) out.push([items[i - 1], items[i]]);
  return out;
}
