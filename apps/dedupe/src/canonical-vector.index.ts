import { HierarchicalNSW } from 'hnswlib-node';

/** HNSW parameters of the candidate index (hnswlib: graph degree, build and search list sizes). */
export interface VectorIndexParams {
  readonly m: number;
  readonly efConstruction: number;
  readonly ef: number;
}

export const DEFAULT_VECTOR_INDEX_PARAMS: VectorIndexParams = { m: 16, efConstruction: 100, ef: 64 };

const INITIAL_CAPACITY = 1024;
const SEED = 100;

/** One graph: the vectors of one (model version, dim). */
interface VectorSpace {
  readonly graph: HierarchicalNSW;
  capacity: number;
  readonly labels: Map<string, number>;
  readonly ids: Map<number, string>;
}

/**
 * The near-duplicate candidate lookup by vector: an in-memory HNSW graph (cosine)
 * per model version and dimension over the vectors of the canonical images of the
 * state. It is derived data, never persisted: the state rebuilds it from the
 * entries it holds (restored from the changelog), so a crash loses nothing.
 * Approximate: `nearest` may miss a true neighbour (rarely at these sizes and ef);
 * callers score every candidate exactly. Synchronous and single-threaded, like
 * the state that owns it. Grows by doubling; removed vectors are marked deleted
 * and their slots reused.
 */
export class CanonicalVectorIndex {
  private readonly spaces = new Map<string, VectorSpace>();
  private readonly spaceOf = new Map<string, string>();
  private nextLabel = 0;

  constructor(private readonly params: VectorIndexParams = DEFAULT_VECTOR_INDEX_PARAMS) {}

  /** Vectors held, over all spaces. */
  get size(): number {
    return this.spaceOf.size;
  }

  /** Adds the vector of a canonical image (replacing any earlier one of the same id). */
  upsert(imageId: string, modelVersion: string, vector: Float32Array): void {
    this.remove(imageId);
    const key = spaceKey(modelVersion, vector.length);
    const space = this.spaces.get(key) ?? this.createSpace(key, vector.length);
    const slots = space.graph.getCurrentCount();
    if (slots >= space.capacity && slots - space.labels.size === 0) {
      space.capacity *= 2;
      space.graph.resizeIndex(space.capacity);
    }
    const label = this.nextLabel++;
    space.graph.addPoint(Array.from(vector), label, true);
    space.labels.set(imageId, label);
    space.ids.set(label, imageId);
    this.spaceOf.set(imageId, key);
  }

  /** Forgets an image's vector (no-op when not held). */
  remove(imageId: string): void {
    const key = this.spaceOf.get(imageId);
    if (key === undefined) return;
    this.spaceOf.delete(imageId);
    const space = this.spaces.get(key);
    const label = space?.labels.get(imageId);
    if (space === undefined || label === undefined) return;
    space.graph.markDelete(label);
    space.labels.delete(imageId);
    space.ids.delete(label);
  }

  /** Up to `k` canonical ids of the same model version and dim whose vectors are closest by cosine (approximate), best first. */
  nearest(modelVersion: string, vector: Float32Array, k: number): string[] {
    const space = this.spaces.get(spaceKey(modelVersion, vector.length));
    const n = Math.min(k, space?.labels.size ?? 0);
    if (space === undefined || n <= 0) return [];
    space.graph.setEf(Math.max(this.params.ef, n));
    const found = space.graph.searchKnn(Array.from(vector), n);
    return found.neighbors.flatMap((label) => {
      const id = space.ids.get(label);
      return id === undefined ? [] : [id];
    });
  }

  private createSpace(key: string, dim: number): VectorSpace {
    const graph = new HierarchicalNSW('cosine', dim);
    graph.initIndex(INITIAL_CAPACITY, this.params.m, this.params.efConstruction, SEED, true);
    const space: VectorSpace = { graph, capacity: INITIAL_CAPACITY, labels: new Map(), ids: new Map() };
    this.spaces.set(key, space);
    return space;
  }
}

function spaceKey(modelVersion: string, dim: number): string {
  return `${modelVersion}\u0000${dim}`;
}
