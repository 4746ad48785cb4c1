import type { Logger } from 'pino';
import { reasonOf } from '@stylestream/errors';
import type { ShardCount, ShardListing, ShardOwnerClient } from './shard-owner.port';

/** What is known of one owner: its last listing and when it last answered one. */
export interface OwnerState {
  readonly owner: string;
  readonly listing?: ShardListing;
  readonly listedAt?: number;
  readonly lastError?: string;
}

/**
 * The last known /v1/shards listing of every owner, refreshed in the
 * background every `refreshMs` (each call bounded by `timeoutMs`) and updated
 * by every k-NN answer's shard list. A query never waits for it: it only names
 * the shards of an owner that missed its deadline and gives the indexed total
 * the selectivity estimate divides by. An owner that stops answering keeps its
 * last listing (that is what it held when it went missing).
 */
export class OwnerDirectory {
  private readonly states = new Map<string, { listing?: ShardListing; listedAt?: number; lastError?: string }>();
  private timer: NodeJS.Timeout | undefined;
  private current: readonly string[];

  constructor(
    owners: readonly string[],
    private readonly client: ShardOwnerClient,
    private readonly options: { refreshMs: number; timeoutMs: number; logger: Logger; now?: () => number },
  ) {
    this.current = [...owners];
    for (const o of owners) this.states.set(o, {});
  }

  /** The owners a query fans out to now. */
  get owners(): readonly string[] {
    return this.current;
  }

  /**
   * Replaces the owner set (the model registry adds a migration's writers and
   * drops a retired version's). New owners are listed at once, in the background;
   * a removed owner's state is forgotten.
   */
  setOwners(owners: readonly string[]): void {
    const next = [...new Set(owners)];
    const added = next.filter((o) => !this.states.has(o));
    for (const o of this.current) if (!next.includes(o)) this.states.delete(o);
    for (const o of added) this.states.set(o, {});
    this.current = next;
    if (added.length > 0) void this.refresh();
  }

  /** Refreshes every listing once (awaited), then keeps refreshing in the background. */
  async start(): Promise<void> {
    // The first round runs before the app listens, when nothing else may hold the event loop: each
    // call's deadline timer is unref'd, and a connection the owner half-closes holds nothing. Without
    // this timer the process would end, with exit code 0, in the middle of the round.
    const hold = setTimeout(() => undefined, this.options.timeoutMs + 1_000);
    try {
      await this.refresh();
    } finally {
      clearTimeout(hold);
    }
    this.timer = setInterval(() => void this.refresh(), this.options.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One round of GET /v1/shards on every owner, in parallel; never throws. */
  async refresh(): Promise<void> {
    await Promise.all(
      this.current.map(async (owner) => {
        const signal = AbortSignal.timeout(this.options.timeoutMs);
        try {
          this.record(owner, await this.client.shards(owner, signal));
        } catch (err) {
          const state = this.stateOf(owner);
          const reason = reasonOf(err);
          if (state.lastError !== reason) this.options.logger.warn({ owner, err: reason }, 'shard listing failed');
          state.lastError = reason;
        }
      }),
    );
  }

  record(owner: string, listing: ShardListing): void {
    const state = this.stateOf(owner);
    state.listing = listing;
    state.listedAt = (this.options.now ?? Date.now)();
    state.lastError = undefined;
  }

  /** Updates the shard ids of an owner from a k-NN answer (counts included), keeping the rest of its listing. */
  recordAnswer(owner: string, modelVersion: string, shards: readonly ShardCount[]): void {
    const state = this.stateOf(owner);
    const previous = state.listing;
    const known = new Map((previous?.shards ?? []).map((s) => [s.shardId, s]));
    state.listing = {
      owner: previous?.owner ?? owner,
      modelVersion: previous?.modelVersion ?? modelVersion,
      partitions: previous?.partitions ?? [],
      shards: shards.map((s) => ({ ...(known.get(s.shardId) ?? { modelVersion, deleted: 0, sealed: false, partitions: [] }), shardId: s.shardId, count: s.count })),
    };
  }

  /** Shard ids the owner held when last listed ([] when never). */
  shardsOf(owner: string, modelVersion?: string): string[] {
    const shards = this.stateOf(owner).listing?.shards ?? [];
    return shards.filter((s) => modelVersion === undefined || s.modelVersion === modelVersion).map((s) => s.shardId);
  }

  /** Live vectors over every owner's last listing (of one model version, or all). */
  indexedTotal(modelVersion?: string): number {
    let total = 0;
    for (const state of this.states.values()) {
      for (const s of state.listing?.shards ?? []) if (modelVersion === undefined || s.modelVersion === modelVersion) total += s.count;
    }
    return total;
  }

  snapshot(): OwnerState[] {
    return this.owners.map((owner) => ({ owner, ...this.stateOf(owner) }));
  }

  private stateOf(owner: string): { listing?: ShardListing; listedAt?: number; lastError?: string } {
    let state = this.states.get(owner);
    if (state === undefined) {
      state = {};
      this.states.set(owner, state);
    }
    return state;
  }
}
