/** A time estimate: `lowerBound` is true when the message is older than anything the table remembers. */
export interface AgeEstimate {
  readonly seconds: number;
  readonly lowerBound: boolean;
}

interface Point {
  readonly offset: number;
  readonly atMs: number;
}

/**
 * Remembers, for one partition, when each log end offset was first observed,
 * to estimate when a message was appended without fetching it (kafkajs has no
 * single-offset fetch). A message at offset `o` was appended after the last
 * observation whose end offset was ≤ o and at or before the first observation
 * whose end offset was > o; between those two points the append time is
 * interpolated linearly by offset. Error: at most one poll interval.
 * Holds at most `maxPoints` points (one per poll that saw the end move);
 * a message older than the oldest point gets a lower bound.
 */
export class OffsetTimeTable {
  private points: Point[] = [];
  private advancedAt: number | undefined;

  constructor(private readonly maxPoints: number) {}

  /** Records the end offset seen at `atMs`. A smaller end offset (topic recreated, truncated) starts over. */
  record(endOffset: number, atMs: number): void {
    const last = this.points.at(-1);
    if (last === undefined || endOffset < last.offset) {
      this.points = [{ offset: endOffset, atMs }];
      return;
    }
    if (endOffset === last.offset) return;
    this.points.push({ offset: endOffset, atMs });
    this.advancedAt = atMs;
    if (this.points.length > this.maxPoints) this.points.shift();
  }

  /** When the end offset was last seen to advance (ms), undefined before the first advance seen. */
  lastAdvancedAtMs(): number | undefined {
    return this.advancedAt;
  }

  /** Estimated age at `nowMs` of the message at `offset`; 0 when the offset is at or past the end. */
  ageOf(offset: number, nowMs: number): AgeEstimate {
    const index = this.points.findIndex((p) => p.offset > offset);
    if (index < 0) return { seconds: 0, lowerBound: false };
    const after = this.points[index];
    const before = this.points[index - 1];
    if (before === undefined) return { seconds: Math.max(0, (nowMs - after.atMs) / 1000), lowerBound: true };
    const fraction = (offset - before.offset + 1) / (after.offset - before.offset);
    const appendedAt = before.atMs + fraction * (after.atMs - before.atMs);
    return { seconds: Math.max(0, (nowMs - appendedAt) / 1000), lowerBound: false };
  }
}
