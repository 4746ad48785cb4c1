import { uncommittedRecords, type PartitionWatermarks } from '@stylestream/kafka';

/** How far a replaying group is through a topic: records committed (`done`) and still ahead (`remaining`). */
export interface ReplayPosition {
  readonly done: number;
  readonly remaining: number;
}

/** The position of a group from the topic's watermarks and its committed offsets (none committed: nothing done). Pure. */
export function replayPosition(ends: readonly PartitionWatermarks[], committed: ReadonlyMap<number, number>): ReplayPosition {
  const remaining = uncommittedRecords(ends, committed);
  const total = ends.reduce((sum, e) => sum + Math.max(0, e.high - e.low), 0);
  return { done: Math.max(0, total - remaining), remaining };
}

/** Rate and ETA of a replay, as shown on the progress line. */
export interface ReplayEstimate extends ReplayPosition {
  /** Records per second over the recent window (0 until two samples differ in time). */
  readonly rate: number;
  /** Seconds left at that rate; undefined while the rate is 0 and something remains. */
  readonly etaSeconds: number | undefined;
}

/**
 * Turns position samples into a rate and an ETA: the rate is the records done
 * over the last `windowMs` (so a pause or a throttle change shows within the
 * window), not since the start. Samples must come in time order.
 */
export class ReplayRate {
  private readonly samples: { at: number; done: number }[] = [];

  constructor(private readonly windowMs = 10_000) {}

  add(at: number, position: ReplayPosition): ReplayEstimate {
    this.samples.push({ at, done: position.done });
    while (this.samples.length > 2 && (this.samples[1]?.at ?? at) <= at - this.windowMs) this.samples.shift();
    const first = this.samples[0] ?? { at, done: position.done };
    const seconds = (at - first.at) / 1000;
    const rate = seconds > 0 ? Math.max(0, position.done - first.done) / seconds : 0;
    const etaSeconds = position.remaining === 0 ? 0 : rate > 0 ? position.remaining / rate : undefined;
    return { ...position, rate, etaSeconds };
  }
}

/** `12/30 done, 18 remaining, 4.1 images/s, ETA 4 s` (the line printed when the output is not a terminal). */
export function formatEstimate(e: ReplayEstimate): string {
  const eta = e.etaSeconds === undefined ? '?' : formatDuration(e.etaSeconds);
  return `${e.done}/${e.done + e.remaining} done, ${e.remaining} remaining, ${e.rate.toFixed(1)} images/s, ETA ${eta}`;
}

export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
