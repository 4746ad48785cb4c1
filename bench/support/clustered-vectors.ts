import { cpus } from 'node:os';
import { Worker } from 'node:worker_threads';

/**
 * Seeded generator of benchmark vectors with a realistic structure, exact
 * k-NN ground truth and filter labels of known selectivity.
 *
 * Model (all drawn from `seed`):
 * - `clusters` centres in a `latentDim`-dimensional latent space, each latent
 *   coordinate ~ N(0, 1/latentDim) (|centre| ≈ 1);
 * - cluster sizes skewed Zipf-like: weight(c) ∝ 1 / (c + 1)^sizeSkew;
 * - each cluster has its own spread: clusterSpread · exp(N(0, spreadJitter));
 * - a random projection W (latentDim × dim, entries ~ N(0, 1/dim), so that
 *   |zW| ≈ |z|) maps the latent point to `dim` dimensions;
 * - isotropic noise of norm ≈ `noise` is added in the full space and the row
 *   is L2-normalised (inner product = cosine similarity).
 *
 * Row i of a stream depends only on (seed, stream, i), so any slice of rows can
 * be generated on its own (`offset`), in any order, in any process.
 * The defaults are calibrated (see docs/DESIGN.md §10) so that raw
 * hnswlib-node with M=16, efConstruction=200, ef=32 gives recall@10 in
 * [0.80, 0.92] at 100k vectors (`npm run bench -- index` prints the check).
 */
export interface GeneratorParams {
  readonly dim: number;
  readonly seed: number;
  readonly latentDim: number;
  readonly clusters: number;
  readonly sizeSkew: number;
  readonly clusterSpread: number;
  readonly spreadJitter: number;
  readonly noise: number;
}

/** What to generate: `n` rows starting at row `offset` of `stream` (base rows and query rows never coincide). */
export interface GenerateRequest extends Partial<GeneratorParams> {
  readonly n: number;
  readonly offset?: number;
  readonly stream?: 'base' | 'query';
}

export const DEFAULT_GENERATOR_PARAMS: GeneratorParams = {
  dim: 256,
  seed: 42,
  latentDim: 128,
  clusters: 2000,
  sizeSkew: 0.8,
  clusterSpread: 0.7,
  spreadJitter: 0.3,
  noise: 1.3,
};

/** The full parameter set of a request, defaults filled in. */
export function generatorParams(overrides: Partial<GeneratorParams> = {}): GeneratorParams {
  const d = DEFAULT_GENERATOR_PARAMS;
  const o = overrides;
  const params: GeneratorParams = {
    dim: o.dim ?? d.dim,
    seed: o.seed ?? d.seed,
    latentDim: o.latentDim ?? d.latentDim,
    clusters: o.clusters ?? d.clusters,
    sizeSkew: o.sizeSkew ?? d.sizeSkew,
    clusterSpread: o.clusterSpread ?? d.clusterSpread,
    spreadJitter: o.spreadJitter ?? d.spreadJitter,
    noise: o.noise ?? d.noise,
  };
  if (!Number.isInteger(params.dim) || params.dim < 2) throw new RangeError(`dim must be an integer >= 2, got ${params.dim}`);
  if (!Number.isInteger(params.latentDim) || params.latentDim < 1) throw new RangeError(`latentDim must be a positive integer`);
  if (!Number.isInteger(params.clusters) || params.clusters < 1) throw new RangeError(`clusters must be a positive integer`);
  if (params.noise < 0 || params.clusterSpread < 0 || params.spreadJitter < 0 || params.sizeSkew < 0) throw new RangeError('noise, clusterSpread, spreadJitter and sizeSkew must be >= 0');
  return params;
}

/** One line naming every parameter, for benchmark output. */
export function describeGenerator(overrides: Partial<GeneratorParams> = {}): string {
  const p = generatorParams(overrides);
  return `clustered-vectors dim=${p.dim} seed=${p.seed} latentDim=${p.latentDim} clusters=${p.clusters} sizeSkew=${p.sizeSkew} clusterSpread=${p.clusterSpread} spreadJitter=${p.spreadJitter} noise=${p.noise} (latent Gaussian mixture, random projection, isotropic noise, L2-normalised)`;
}

interface Model {
  readonly params: GeneratorParams;
  readonly centres: Float64Array; // clusters × latentDim
  readonly spreads: Float64Array; // clusters
  readonly cdf: Float64Array; // clusters, cumulative size weights in (0, 1]
  readonly projection: Float64Array; // latentDim × dim
}

const models = new Map<string, Model>();

function modelOf(params: GeneratorParams): Model {
  const key = JSON.stringify(params);
  const cached = models.get(key);
  if (cached !== undefined) return cached;
  const { dim, latentDim, clusters } = params;
  const rng = new Rng(mix(params.seed, 0x5eed, 0));
  const centres = new Float64Array(clusters * latentDim);
  const centreStd = 1 / Math.sqrt(latentDim);
  for (let i = 0; i < centres.length; i++) centres[i] = rng.gauss() * centreStd;
  const spreads = new Float64Array(clusters);
  for (let c = 0; c < clusters; c++) spreads[c] = (params.clusterSpread / Math.sqrt(latentDim)) * Math.exp(rng.gauss() * params.spreadJitter);
  const cdf = new Float64Array(clusters);
  let total = 0;
  for (let c = 0; c < clusters; c++) cdf[c] = total += 1 / Math.pow(c + 1, params.sizeSkew);
  for (let c = 0; c < clusters; c++) cdf[c] /= total;
  const projection = new Float64Array(latentDim * dim);
  const projStd = 1 / Math.sqrt(dim);
  for (let i = 0; i < projection.length; i++) projection[i] = rng.gauss() * projStd;
  const model = { params, centres, spreads, cdf, projection };
  models.set(key, model);
  return model;
}

/**
 * Rows [offset, offset + n) of the stream, row-major (`n × dim`), each L2-normalised.
 * Pass `shared: true` to back the result by a SharedArrayBuffer (for `exactTopK` workers).
 */
export function generateVectors(request: GenerateRequest, options: { shared?: boolean } = {}): Float32Array {
  const params = generatorParams(request);
  const { n } = request;
  const offset = request.offset ?? 0;
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be a non-negative integer, got ${n}`);
  if (!Number.isInteger(offset) || offset < 0) throw new RangeError(`offset must be a non-negative integer, got ${offset}`);
  const model = modelOf(params);
  const { dim } = params;
  const bytes = n * dim * Float32Array.BYTES_PER_ELEMENT;
  const out = new Float32Array(options.shared === true ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  const row = new Float64Array(dim);
  const latent = new Float64Array(params.latentDim);
  const streamTag = request.stream === 'query' ? 2 : 1;
  for (let r = 0; r < n; r++) {
    writeRow(model, mix(params.seed, streamTag, offset + r), latent, row);
    out.set(row, r * dim);
  }
  return out;
}

/** Query rows: `generateVectors` on the query stream (same distribution, never equal to base rows). */
export function generateQueries(request: GenerateRequest): Float32Array {
  return generateVectors({ ...request, stream: 'query' });
}

/** The cluster a row of the base stream was drawn from (for analyses; same draw as `generateVectors`). */
export function clusterOf(overrides: Partial<GeneratorParams>, row: number, stream: 'base' | 'query' = 'base'): number {
  const params = generatorParams(overrides);
  const model = modelOf(params);
  const rng = new Rng(mix(params.seed, stream === 'query' ? 2 : 1, row));
  return pickCluster(model.cdf, rng.next());
}

function writeRow(model: Model, rowSeed: number, latent: Float64Array, row: Float64Array): void {
  const { dim, latentDim, noise } = model.params;
  const rng = new Rng(rowSeed);
  const c = pickCluster(model.cdf, rng.next());
  const spread = model.spreads[c];
  const base = c * latentDim;
  for (let l = 0; l < latentDim; l++) latent[l] = model.centres[base + l] + rng.gauss() * spread;
  const noiseStd = noise / Math.sqrt(dim);
  for (let j = 0; j < dim; j++) row[j] = rng.gauss() * noiseStd;
  const w = model.projection;
  for (let l = 0; l < latentDim; l++) {
    const z = latent[l];
    const o = l * dim;
    for (let j = 0; j < dim; j++) row[j] += z * w[o + j];
  }
  let norm = 0;
  for (let j = 0; j < dim; j++) norm += row[j] * row[j];
  const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let j = 0; j < dim; j++) row[j] *= inv;
}

/**
 * `generateVectors` split over worker threads into one SharedArrayBuffer (the
 * same rows, bit for bit). Workers load this module's compiled file; where it
 * runs from TypeScript source (tests) it generates in this thread.
 */
export async function generateVectorsParallel(request: GenerateRequest, workers = Math.min(8, cpus().length)): Promise<Float32Array> {
  const params = generatorParams(request);
  const offset = request.offset ?? 0;
  if (workers <= 1 || !__filename.endsWith('.js') || request.n < 10_000) return generateVectors(request, { shared: true });
  const out = new Float32Array(new SharedArrayBuffer(request.n * params.dim * 4));
  const per = Math.ceil(request.n / workers);
  const jobs: Promise<void>[] = [];
  for (let w = 0; w < workers; w++) {
    const start = w * per;
    const n = Math.min(request.n, start + per) - start;
    if (n <= 0) continue;
    const source = `
      const { parentPort, workerData } = require('node:worker_threads');
      const { generateVectors } = require(workerData.file);
      const { out, request, start, dim } = workerData;
      out.set(generateVectors({ ...request, n: workerData.n, offset: request.offset + start }), start * dim);
      parentPort.postMessage('done');
    `;
    jobs.push(
      new Promise<void>((resolve, reject) => {
        const worker = new Worker(source, { eval: true, workerData: { file: __filename, out, request: { ...params, stream: request.stream ?? 'base', offset }, start, n, dim: params.dim } });
        worker.once('message', () => resolve());
        worker.once('error', reject);
        worker.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`generator worker exited with ${code}`))));
      }),
    );
  }
  await Promise.all(jobs);
  return out;
}

function pickCluster(cdf: Float64Array, u: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((cdf[mid] ?? 1) < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// ---------------------------------------------------------------- labels

/** The filter labels of the benchmarks: name and share of ids carrying it. */
export const FILTER_SELECTIVITIES: readonly { readonly label: string; readonly selectivity: number }[] = [
  { label: 'sel-0.1pct', selectivity: 0.001 },
  { label: 'sel-1pct', selectivity: 0.01 },
  { label: 'sel-10pct', selectivity: 0.1 },
  { label: 'sel-50pct', selectivity: 0.5 },
];

/**
 * Whether row `id` carries the label of share `selectivity`: a seeded hash of
 * (seed, selectivity, id) below the share, independent of clusters and of the
 * other labels. Over n ids about n·selectivity carry it.
 */
export function hasLabel(id: number, selectivity: number, seed = DEFAULT_GENERATOR_PARAMS.seed): boolean {
  const salt = Math.round(selectivity * 1e9);
  return new Rng(mix(seed ^ 0x1abe1, salt, id)).next() < selectivity;
}

/** The labels (of `FILTER_SELECTIVITIES`, or the given ones) that row `id` carries. */
export function labelsOf(id: number, seed = DEFAULT_GENERATOR_PARAMS.seed, selectivities = FILTER_SELECTIVITIES): string[] {
  return selectivities.filter((s) => hasLabel(id, s.selectivity, seed)).map((s) => s.label);
}

/** The ids in [0, n) carrying the label of share `selectivity`, ascending. */
export function labelIds(n: number, selectivity: number, seed = DEFAULT_GENERATOR_PARAMS.seed): Uint32Array {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) if (hasLabel(i, selectivity, seed)) ids.push(i);
  return Uint32Array.from(ids);
}

// ---------------------------------------------------------------- ground truth

/** Exact neighbours of each query: `ids[q*k + r]` / `scores[q*k + r]`, r = 0 the best (highest inner product). */
export interface TopK {
  readonly k: number;
  readonly ids: Int32Array;
  readonly scores: Float32Array;
}

export interface ExactTopKOptions {
  /** Worker threads (default: CPU count, at most 8; 0 or 1 = in this thread). */
  readonly workers?: number;
  /** Only these base rows are candidates (filtered ground truth); ids are row numbers. */
  readonly candidates?: Uint32Array;
}

/**
 * Brute-force exact top-k by inner product (= cosine on normalised rows).
 * Blocked: each base row is read once per block of 8 queries; queries are split
 * over worker threads sharing the base through a SharedArrayBuffer (copied once
 * when `base` is not already shared). 1M × 1000 × 256 takes about a minute per core.
 */
export async function exactTopK(base: Float32Array, queries: Float32Array, k: number, dim = DEFAULT_GENERATOR_PARAMS.dim, options: ExactTopKOptions = {}): Promise<TopK> {
  if (base.length % dim !== 0 || queries.length % dim !== 0) throw new RangeError(`base and queries must be multiples of dim=${dim}`);
  const nq = queries.length / dim;
  const workers = Math.min(options.workers ?? Math.min(8, cpus().length), nq);
  const ids = new Int32Array(nq * k).fill(-1);
  const scores = new Float32Array(nq * k).fill(-Infinity);
  if (workers <= 1 || nq < 16) {
    scanTopK(base, queries, 0, nq, dim, k, options.candidates ?? null, ids, scores);
    return { k, ids, scores };
  }
  const sharedBase = base.buffer instanceof SharedArrayBuffer ? base : copyShared(base);
  const per = Math.ceil(nq / workers);
  const jobs: Promise<void>[] = [];
  for (let w = 0; w < workers; w++) {
    const q0 = w * per;
    const q1 = Math.min(nq, q0 + per);
    if (q0 >= q1) continue;
    jobs.push(runWorker(sharedBase, queries.slice(q0 * dim, q1 * dim), dim, k, options.candidates ?? null).then((r) => {
      ids.set(r.ids, q0 * k);
      scores.set(r.scores, q0 * k);
    }));
  }
  await Promise.all(jobs);
  return { k, ids, scores };
}

/** recall@k of `found` (ids per query) against the exact top-k. */
export function recallAtK(truth: TopK, found: readonly (readonly number[])[], k = truth.k): number {
  let hit = 0;
  let total = 0;
  for (let q = 0; q < found.length; q++) {
    const exact = new Set<number>();
    for (let r = 0; r < k; r++) {
      const id = truth.ids[q * truth.k + r] ?? -1;
      if (id >= 0) exact.add(id);
    }
    const got = found[q] ?? [];
    for (let r = 0; r < Math.min(k, got.length); r++) if (exact.has(got[r] ?? -2)) hit++;
    total += exact.size;
  }
  return total === 0 ? 1 : hit / total;
}

function copyShared(a: Float32Array): Float32Array {
  const s = new Float32Array(new SharedArrayBuffer(a.byteLength));
  s.set(a);
  return s;
}

function runWorker(base: Float32Array, queries: Float32Array, dim: number, k: number, candidates: Uint32Array | null): Promise<{ ids: Int32Array; scores: Float32Array }> {
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    const scanTopK = ${scanTopK.toString()};
    const { base, queries, dim, k, candidates } = workerData;
    const nq = queries.length / dim;
    const ids = new Int32Array(nq * k).fill(-1);
    const scores = new Float32Array(nq * k).fill(-Infinity);
    scanTopK(base, queries, 0, nq, dim, k, candidates, ids, scores);
    parentPort.postMessage({ ids, scores }, [ids.buffer, scores.buffer]);
  `;
  return new Promise((resolve, reject) => {
    const worker = new Worker(source, { eval: true, workerData: { base, queries, dim, k, candidates } });
    worker.once('message', (m: { ids: Int32Array; scores: Float32Array }) => resolve(m));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`exactTopK worker exited with ${code}`));
    });
  });
}

/**
 * The kernel (self-contained: it is also shipped to workers as source). For
 * queries [q0, q1): a min-heap of the k best per query, filled by blocks of up
 * to 8 queries against every (candidate) base row; results sorted best first.
 */
function scanTopK(base: Float32Array, queries: Float32Array, q0: number, q1: number, dim: number, k: number, candidates: Uint32Array | null, outIds: Int32Array, outScores: Float32Array): void {
  const nBase = candidates === null ? base.length / dim : candidates.length;
  const B = 8;
  const heapIds = new Int32Array(B * k);
  const heapScores = new Float32Array(B * k);
  const sizes = new Int32Array(B);
  const dots = new Float64Array(B);
  const push = (h: number, id: number, s: number): void => {
    const o = h * k;
    let size = sizes[h];
    if (size < k) {
      let i = size++;
      sizes[h] = size;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (heapScores[o + p] <= s) break;
        heapScores[o + i] = heapScores[o + p];
        heapIds[o + i] = heapIds[o + p];
        i = p;
      }
      heapScores[o + i] = s;
      heapIds[o + i] = id;
      return;
    }
    if (s <= heapScores[o]) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= k) break;
      const r = l + 1;
      const c = r < k && heapScores[o + r] < heapScores[o + l] ? r : l;
      if (heapScores[o + c] >= s) break;
      heapScores[o + i] = heapScores[o + c];
      heapIds[o + i] = heapIds[o + c];
      i = c;
    }
    heapScores[o + i] = s;
    heapIds[o + i] = id;
  };
  for (let qb = q0; qb < q1; qb += B) {
    const nb = Math.min(B, q1 - qb);
    sizes.fill(0);
    for (let x = 0; x < nBase; x++) {
      const id = candidates === null ? x : candidates[x];
      const bo = id * dim;
      dots.fill(0);
      for (let b = 0; b < nb; b++) {
        const qo = (qb + b) * dim;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        let j = 0;
        for (; j + 3 < dim; j += 4) {
          s0 += base[bo + j] * queries[qo + j];
          s1 += base[bo + j + 1] * queries[qo + j + 1];
          s2 += base[bo + j + 2] * queries[qo + j + 2];
          s3 += base[bo + j + 3] * queries[qo + j + 3];
        }
        for (; j < dim; j++) s0 += base[bo + j] * queries[qo + j];
        dots[b] = s0 + s1 + s2 + s3;
      }
      for (let b = 0; b < nb; b++) push(b, id, dots[b]);
    }
    for (let b = 0; b < nb; b++) {
      const o = b * k;
      const n = sizes[b];
      const order = Array.from({ length: n }, (_, i) => i).sort((a, c) => heapScores[o + c] - heapScores[o + a] || heapIds[o + a] - heapIds[o + c]);
      const out = (qb + b) * k;
      for (let r = 0; r < n; r++) {
        outIds[out + r] = heapIds[o + order[r]];
        outScores[out + r] = heapScores[o + order[r]];
      }
    }
  }
}

// ---------------------------------------------------------------- randomness

/** A 32-bit hash of three integers (seed, stream, index): the per-row seed. */
function mix(a: number, b: number, c: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x7f4a7c15, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) ^ Math.imul(c ^ 0x27d4eb2f, 0x165667b1) ^ Math.imul(Math.floor(c / 4294967296), 0x2545f491);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** mulberry32 with a Box-Muller Gaussian that keeps its second value. */
class Rng {
  private state: number;
  private spare = Number.NaN;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  gauss(): number {
    if (!Number.isNaN(this.spare)) {
      const s = this.spare;
      this.spare = Number.NaN;
      return s;
    }
    const u = this.next() + 1 / 4294967296;
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}
