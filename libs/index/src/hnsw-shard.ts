import { HierarchicalNSW } from 'hnswlib-node';
import { InternalError } from '@stylestream/errors';
import type { HnswParams } from './hnsw-params';

/** One neighbour of a query: the image id and its similarity (1 - distance; cosine similarity on normalised vectors). */
export interface Neighbour {
  readonly imageId: string;
  readonly score: number;
}

/** What an upsert did. */
export type UpsertResult = 'added' | 'replaced';

/** The label ↔ image id map of a shard, as persisted. */
export type ShardIdEntries = readonly (readonly [label: number, imageId: string])[];

/**
 * One HNSW graph over hnswlib-node with an image id ↔ label map. Labels are
 * shard-local integers handed out in order and never reused for another id.
 * Synchronous and not thread-safe: one caller at a time (the writer
 * serialises access). Capacity is fixed: `isFull` once `size` live vectors
 * reach it; deleted slots are reused by later adds (allowReplaceDeleted).
 */
export class HnswShard {
  private readonly labels = new Map<string, number>();
  private readonly ids = new Map<number, string>();
  private nextLabel = 0;

  private constructor(
    readonly shardId: string,
    readonly params: HnswParams,
    readonly capacity: number,
    private readonly graph: HierarchicalNSW,
  ) {
    graph.setEf(params.ef);
  }

  static create(shardId: string, params: HnswParams, capacity: number): HnswShard {
    const graph = new HierarchicalNSW(params.space, params.dim);
    graph.initIndex(capacity, params.m, params.efConstruction, params.seed, true);
    return new HnswShard(shardId, params, capacity, graph);
  }

  /** Loads a shard written by `writeGraph`, with its persisted id map. */
  static async read(shardId: string, params: HnswParams, capacity: number, graphFile: string, entries: ShardIdEntries, nextLabel: number): Promise<HnswShard> {
    const graph = new HierarchicalNSW(params.space, params.dim);
    await graph.readIndex(graphFile, true);
    if (graph.getMaxElements() < capacity) graph.resizeIndex(capacity);
    const shard = new HnswShard(shardId, params, capacity, graph);
    for (const [label, imageId] of entries) {
      shard.labels.set(imageId, label);
      shard.ids.set(label, imageId);
    }
    shard.nextLabel = nextLabel;
    return shard;
  }

  get size(): number {
    return this.labels.size;
  }

  /** Slots marked deleted and not yet reused (hnswlib counts them in getCurrentCount). */
  get deletedCount(): number {
    return Math.max(0, this.graph.getCurrentCount() - this.labels.size);
  }

  /** Share of the graph's slots that are deleted: what a rebuild would reclaim. */
  get deletedShare(): number {
    const slots = this.graph.getCurrentCount();
    return slots === 0 ? 0 : this.deletedCount / slots;
  }

  get isFull(): boolean {
    return this.labels.size >= this.capacity;
  }

  /** The next label to hand out (persisted so labels stay unique after a reload). */
  get labelCursor(): number {
    return this.nextLabel;
  }

  has(imageId: string): boolean {
    return this.labels.has(imageId);
  }

  imageIds(): string[] {
    return [...this.labels.keys()];
  }

  idEntries(): ShardIdEntries {
    return [...this.ids.entries()];
  }

  /** Adds or replaces (markDelete of the old entry + add into a free or deleted slot). Throws InternalError when full. */
  upsert(imageId: string, vector: ArrayLike<number>): UpsertResult {
    const old = this.labels.get(imageId);
    if (old === undefined && this.isFull) throw new InternalError(`shard ${this.shardId} is full (${this.capacity})`);
    if (old !== undefined) this.remove(imageId, old);
    const label = this.nextLabel;
    this.nextLabel += 1;
    this.graph.addPoint(Array.from(vector), label, true);
    this.labels.set(imageId, label);
    this.ids.set(label, imageId);
    return old === undefined ? 'added' : 'replaced';
  }

  /** Marks the image deleted; false when the shard does not hold it. */
  delete(imageId: string): boolean {
    const label = this.labels.get(imageId);
    if (label === undefined) return false;
    this.remove(imageId, label);
    return true;
  }

  /** The stored vector of an image (as indexed; normalised by the cosine space), or undefined. */
  vectorOf(imageId: string): number[] | undefined {
    const label = this.labels.get(imageId);
    return label === undefined ? undefined : this.graph.getPoint(label);
  }

  /**
   * Exact similarity of `vector` to each held id among `imageIds` (ids the
   * shard does not hold are ignored), unsorted. Used for small id filters,
   * where scoring the candidates beats any graph traversal and has recall 1.
   */
  scoreExact(vector: ArrayLike<number>, imageIds: Iterable<string>): Neighbour[] {
    const out: Neighbour[] = [];
    for (const imageId of imageIds) {
      const label = this.labels.get(imageId);
      if (label === undefined) continue;
      const point = this.graph.getPoint(label);
      let dot = 0;
      for (let i = 0; i < point.length; i += 1) dot += (point[i] ?? 0) * (vector[i] ?? 0);
      out.push({ imageId, score: dot });
    }
    return out;
  }

  /**
   * Top-k live neighbours, best first; `ef` overrides the shard's default for
   * this query and is raised to k. With `accept`, only ids it accepts are
   * returned (hnswlib filtered traversal: rejected nodes are still walked).
   */
  search(vector: ArrayLike<number>, k: number, ef = this.params.ef, accept?: (imageId: string) => boolean): Neighbour[] {
    const n = Math.min(k, this.labels.size);
    if (n === 0) return [];
    this.graph.setEf(Math.max(ef, n));
    const query = Array.from(vector);
    const found =
      accept === undefined
        ? this.graph.searchKnn(query, n)
        : this.graph.searchKnn(query, n, (label) => {
            const imageId = this.ids.get(label);
            return imageId !== undefined && accept(imageId);
          });
    this.graph.setEf(this.params.ef);
    const out: Neighbour[] = [];
    for (const [i, label] of found.neighbors.entries()) {
      const imageId = this.ids.get(label);
      if (imageId !== undefined) out.push({ imageId, score: 1 - (found.distances[i] ?? 1) });
    }
    return out;
  }

  /** Writes the graph to `file` (the caller makes it atomic and durable). */
  async writeGraph(file: string): Promise<void> {
    await this.graph.writeIndex(file);
  }

  /**
   * A copy holding only the live vectors (same labels, label cursor and
   * capacity) in a fresh graph: reclaims deleted slots and the search quality
   * they cost. Read-only on this shard; `between` runs every `chunk` inserts
   * so a caller can yield to queries.
   */
  async compacted(between: () => Promise<void>, chunk = 2000): Promise<HnswShard> {
    const copy = HnswShard.create(this.shardId, this.params, this.capacity);
    let done = 0;
    for (const [label, imageId] of this.ids) {
      copy.graph.addPoint(this.graph.getPoint(label), label, false);
      copy.labels.set(imageId, label);
      copy.ids.set(label, imageId);
      done += 1;
      if (done % chunk === 0) await between();
    }
    copy.nextLabel = this.nextLabel;
    return copy;
  }

  private remove(imageId: string, label: number): void {
    this.graph.markDelete(label);
    this.labels.delete(imageId);
    this.ids.delete(label);
  }
}
