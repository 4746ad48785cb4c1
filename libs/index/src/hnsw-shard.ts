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

  /** Top-k live neighbours, best first; `ef` overrides the shard's default for this query. */
  search(vector: ArrayLike<number>, k: number, ef = this.params.ef): Neighbour[] {
    const n = Math.min(k, this.labels.size);
    if (n === 0) return [];
    this.graph.setEf(Math.max(ef, n));
    const found = this.graph.searchKnn(Array.from(vector), n);
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

  private remove(imageId: string, label: number): void {
    this.graph.markDelete(label);
    this.labels.delete(imageId);
    this.ids.delete(label);
  }
}
