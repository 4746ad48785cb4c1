import type { HnswSpace } from './hnsw-params';
import type { Neighbour } from './hnsw-shard';
import type { IndexOp } from './shard-host.port';

/** One queued entry: an op, or an offset that only has to be marked applied (a dead letter already written). */
export type QueuedOp = IndexOp | { readonly kind: 'settle'; readonly offset: number };

/** The newest queued state of one image id, and how many queued ops still name it. */
interface Latest {
  vector: Float32Array | undefined;
  queued: number;
}

/** What the queue says of an image id: nothing (the graph decides), its newest vector, or deleted. */
export type PendingState = { readonly kind: 'none' } | { readonly kind: 'live'; readonly vector: Float32Array } | { readonly kind: 'deleted' };

const NONE: PendingState = { kind: 'none' };
const DELETED: PendingState = { kind: 'deleted' };

/**
 * Ops of one partition accepted while its graphs cannot change (a snapshot
 * or a compaction reads them in the background), kept in input order until
 * they are applied to the graphs. Searchable the moment they are queued:
 * queries score the queued live vectors exactly and ignore what the graphs
 * hold for any id with a queued op (docs/DESIGN.md §11, "Snapshots that do
 * not stop the shard"). An op's offset counts as applied once queued; it
 * reaches the persisted offsets only when the op reaches the graphs.
 */
export class PendingOps {
  private queue: QueuedOp[] = [];
  private head = 0;
  private readonly latest = new Map<string, Latest>();
  private highest: number | undefined;

  constructor(private readonly space: HnswSpace) {}

  /** Queued entries not yet applied. */
  get size(): number {
    return this.queue.length - this.head;
  }

  /** Ids with a queued op: what the graphs hold for them is stale. */
  get shadowedCount(): number {
    return this.latest.size;
  }

  /** The highest offset ever queued. */
  get lastOffset(): number | undefined {
    return this.highest;
  }

  push(entry: QueuedOp): void {
    this.queue.push(entry);
    if (this.highest === undefined || entry.offset > this.highest) this.highest = entry.offset;
    if (entry.kind !== 'upsert' && entry.kind !== 'delete') return;
    let latest = this.latest.get(entry.imageId);
    if (latest === undefined) {
      latest = { vector: undefined, queued: 0 };
      this.latest.set(entry.imageId, latest);
    }
    latest.vector = entry.kind === 'upsert' ? entry.vector : undefined;
    latest.queued += 1;
  }

  /** The oldest queued entry, left in place. */
  peek(): QueuedOp | undefined {
    return this.queue[this.head];
  }

  /** Drops the oldest entry; call once it has been applied to the graphs. */
  shift(): void {
    const entry = this.queue[this.head];
    if (entry === undefined) return;
    this.head += 1;
    if (entry.kind === 'upsert' || entry.kind === 'delete') {
      const latest = this.latest.get(entry.imageId);
      if (latest !== undefined) {
        latest.queued -= 1;
        if (latest.queued <= 0) this.latest.delete(entry.imageId);
      }
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head >= 4096 && this.head * 2 >= this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  stateOf(imageId: string): PendingState {
    const latest = this.latest.get(imageId);
    if (latest === undefined) return NONE;
    return latest.vector === undefined ? DELETED : { kind: 'live', vector: latest.vector };
  }

  isShadowed(imageId: string): boolean {
    return this.latest.has(imageId);
  }

  shadowedIds(): IterableIterator<string> {
    return this.latest.keys();
  }

  /** Ids whose newest queued op is an upsert. */
  liveIds(): string[] {
    const out: string[] = [];
    for (const [imageId, latest] of this.latest) if (latest.vector !== undefined) out.push(imageId);
    return out;
  }

  /**
   * Exact top-k of the queued live vectors that `admits` accepts, best first
   * (ties in queue order), scored as the graphs score. Runs on every query
   * while ops are queued: one pass with a k-sized insertion list, no sort of
   * the whole queue.
   */
  search(query: ArrayLike<number>, k: number, admits: (imageId: string) => boolean): Neighbour[] {
    const q = Float32Array.from(query);
    const cosine = this.space === 'cosine';
    const queryNorm = cosine ? norm(q) : 1;
    const top: Neighbour[] = [];
    if (k <= 0) return top;
    for (const [imageId, latest] of this.latest) {
      const vector = latest.vector;
      if (vector === undefined) continue;
      let dot = 0;
      for (let i = 0; i < vector.length; i += 1) dot += (vector[i] ?? 0) * (q[i] ?? 0);
      const score = cosine ? dot / (queryNorm * norm(vector) || 1) : dot;
      if (top.length === k && score <= (top[k - 1]?.score ?? Number.NEGATIVE_INFINITY)) continue;
      if (!admits(imageId)) continue;
      let at = top.length;
      while (at > 0 && (top[at - 1]?.score ?? Number.POSITIVE_INFINITY) < score) at -= 1;
      top.splice(at, 0, { imageId, score });
      if (top.length > k) top.pop();
    }
    return top;
  }
}

function norm(v: ArrayLike<number>): number {
  let sq = 0;
  for (let i = 0; i < v.length; i += 1) sq += (v[i] ?? 0) ** 2;
  return Math.sqrt(sq);
}
