/**
 * A token bucket: `acquire()` resolves when one token is available, at most
 * `perSecond` tokens a second on average with bursts of up to `burst`.
 * Waiters are served in call order. Used to cap a replay's extraction rate
 * (EXTRACTOR_MAX_RATE), so a backfill leaves the cores to live traffic.
 */
export class RateThrottle {
  private tokens: number;
  private last: number;
  private tail: Promise<void> = Promise.resolve();

  constructor(
    readonly perSecond: number,
    readonly burst: number = Math.max(1, perSecond),
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {
    if (!(perSecond > 0) || !(burst >= 1)) throw new RangeError('RateThrottle needs perSecond > 0 and burst >= 1');
    this.tokens = burst;
    this.last = now();
  }

  acquire(): Promise<void> {
    const turn = this.tail.then(() => this.take());
    this.tail = turn;
    return turn;
  }

  private async take(): Promise<void> {
    for (;;) {
      const now = this.now();
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.perSecond) / 1000);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.sleep(Math.ceil(((1 - this.tokens) * 1000) / this.perSecond));
    }
  }
}
