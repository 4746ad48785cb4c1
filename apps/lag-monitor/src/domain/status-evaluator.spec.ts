import { GroupStatus, worseStatus } from './group-status';
import type { PartitionSample } from './partition-sample';
import { evaluateGroup, evaluatePartition } from './status-evaluator';

/** A window from (committed, end) pairs, one poll every 15 s; `members` and `hasLeader` apply to all samples. */
function windowOf(points: Array<[committed: number, end: number]>, { members = 1, hasLeader = true } = {}): PartitionSample[] {
  return points.map(([committedOffset, endOffset], i) => ({
    observedAtMs: 1_000_000 + i * 15_000,
    committedOffset,
    endOffset,
    lag: Math.max(0, endOffset - Math.max(committedOffset, 0)),
    members,
    hasLeader,
  }));
}

const W = 5;

describe('evaluatePartition', () => {
  it('is OK for an empty window', () => {
    expect(evaluatePartition([], W)).toBe(GroupStatus.OK);
  });

  it('is OK when the consumer keeps up (lag 0 somewhere in the window)', () => {
    expect(evaluatePartition(windowOf([[10, 20], [20, 30], [30, 30], [30, 40], [40, 50]]), W)).toBe(GroupStatus.OK);
  });

  it('is OK when lag is 0 even with no commits and no members (idle topic, stopped consumer with nothing to do)', () => {
    expect(evaluatePartition(windowOf([[50, 50], [50, 50], [50, 50], [50, 50], [50, 50]], { members: 0 }), W)).toBe(GroupStatus.OK);
  });

  it('is OK when progressing and lag came down at least once', () => {
    expect(evaluatePartition(windowOf([[0, 100], [10, 130], [40, 150], [90, 160], [120, 190]]), W)).toBe(GroupStatus.OK);
  });

  it('is OK with too few samples to judge, however bad they look', () => {
    expect(evaluatePartition(windowOf([[10, 100], [10, 200], [10, 300], [10, 400]], { members: 0 }), W)).toBe(GroupStatus.OK);
  });

  it('is WARN when offsets move but lag never decreases over a full window', () => {
    expect(evaluatePartition(windowOf([[0, 100], [10, 120], [20, 140], [30, 160], [40, 180]]), W)).toBe(GroupStatus.WARN);
  });

  it('is WARN when lag stays exactly the same while offsets move (not catching up)', () => {
    expect(evaluatePartition(windowOf([[0, 50], [10, 60], [20, 70], [30, 80], [40, 90]]), W)).toBe(GroupStatus.WARN);
  });

  it('is STALL when members are present but the offset does not move while lag > 0', () => {
    expect(evaluatePartition(windowOf([[10, 100], [10, 110], [10, 120], [10, 130], [10, 140]], { members: 2 }), W)).toBe(GroupStatus.STALL);
  });

  it('is STALL even when nothing new is produced (constant lag, stuck consumer)', () => {
    expect(evaluatePartition(windowOf([[10, 100], [10, 100], [10, 100], [10, 100], [10, 100]], { members: 1 }), W)).toBe(GroupStatus.STALL);
  });

  it('is STOP when the group has no members and the offset does not move while lag > 0', () => {
    expect(evaluatePartition(windowOf([[10, 100], [10, 100], [10, 105], [10, 105], [10, 110]], { members: 0 }), W)).toBe(GroupStatus.STOP);
  });

  it('is STOP for a group that never committed and has no members (offset -1, lag from the earliest offset)', () => {
    expect(evaluatePartition(windowOf([[-1, 10], [-1, 10], [-1, 12], [-1, 12], [-1, 12]], { members: 0 }), W)).toBe(GroupStatus.STOP);
  });

  it('judges STALL vs STOP by the members at the latest sample', () => {
    const window = windowOf([[10, 100], [10, 100], [10, 100], [10, 100], [10, 100]], { members: 1 });
    const last = window.pop() as PartitionSample;
    window.push({ ...last, members: 0 });
    expect(evaluatePartition(window, W)).toBe(GroupStatus.STOP);
  });

  it('is REWIND when the committed offset goes backwards, even in a short window', () => {
    expect(evaluatePartition(windowOf([[100, 200], [150, 200], [20, 200]]), W)).toBe(GroupStatus.REWIND);
  });

  it('does not call a first commit after -1 a rewind', () => {
    expect(evaluatePartition(windowOf([[-1, 100], [30, 100], [60, 100], [100, 100], [100, 100]]), W)).toBe(GroupStatus.OK);
  });

  it('is ERROR when the partition has no leader at the latest sample', () => {
    expect(evaluatePartition(windowOf([[10, 20]], { hasLeader: false }), W)).toBe(GroupStatus.ERROR);
  });

  it('looks only at the window it is given (an old stall slid out of it)', () => {
    const stalledThenRecovered = windowOf([[10, 100], [10, 100], [10, 100], [60, 110], [110, 120], [120, 130]]);
    expect(evaluatePartition(stalledThenRecovered.slice(-W), W)).toBe(GroupStatus.OK);
  });
});

describe('evaluateGroup', () => {
  it('is the worst of its partitions', () => {
    const ok = windowOf([[10, 10], [20, 20], [30, 30], [40, 40], [50, 50]]);
    const warn = windowOf([[0, 100], [10, 120], [20, 140], [30, 160], [40, 180]]);
    const stall = windowOf([[10, 100], [10, 100], [10, 100], [10, 100], [10, 100]]);
    expect(evaluateGroup([ok, warn], W)).toBe(GroupStatus.WARN);
    expect(evaluateGroup([ok, warn, stall], W)).toBe(GroupStatus.STALL);
  });

  it('is OK for a group with no partitions', () => {
    expect(evaluateGroup([], W)).toBe(GroupStatus.OK);
  });

  it('orders severities OK < WARN < REWIND < STALL < STOP < ERROR', () => {
    expect(worseStatus(GroupStatus.WARN, GroupStatus.REWIND)).toBe(GroupStatus.REWIND);
    expect(worseStatus(GroupStatus.STOP, GroupStatus.STALL)).toBe(GroupStatus.STOP);
    expect(worseStatus(GroupStatus.ERROR, GroupStatus.OK)).toBe(GroupStatus.ERROR);
  });
});
