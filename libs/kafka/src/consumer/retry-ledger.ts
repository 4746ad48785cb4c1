/**
 * Remembers, per partition, how many attempts the message at the head of the
 * partition has used. Only the head can be retrying: a partition is paused at
 * the first unsettled message. In memory on purpose: after a restart or a
 * rebalance the count starts again at 1, which can only add attempts, never
 * lose a message.
 */
export class RetryLedger {
  private readonly heads = new Map<string, { offset: string; attempts: number }>();

  /** Attempts already used by the message at `offset` (0 if none recorded). */
  previousAttempts(topic: string, partition: number, offset: string): number {
    const head = this.heads.get(`${topic}|${partition}`);
    return head !== undefined && head.offset === offset ? head.attempts : 0;
  }

  record(topic: string, partition: number, offset: string, attempts: number): void {
    this.heads.set(`${topic}|${partition}`, { offset, attempts });
  }

  settle(topic: string, partition: number): void {
    this.heads.delete(`${topic}|${partition}`);
  }
}
