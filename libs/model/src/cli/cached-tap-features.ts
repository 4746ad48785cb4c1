import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { sha256 } from '../convert/default-model.build';
import { OnnxGraphBuilder } from '../convert/onnx-graph.builder';
import type { ModelManifest } from '../manifest/model-manifest.schema';
import { FEATURE_CACHE_DIR, type ImageVariant, digest, tryRead } from './cached-backbone-features';
import { extractorPreprocessing } from './extractor-preprocessing';

const BATCH = 16;
const POOLED = 'tap_spatial_mean';

/**
 * The backbone graph with one output: the intermediate tensor `tap`, averaged over its
 * spatial axes (axes 2, 3 of NCHW) when `pool`, else as it is.
 */
export function tapGraph(backbone: Uint8Array, tap: string, pool: boolean): { bytes: Uint8Array; output: string } {
  const g = OnnxGraphBuilder.extend(backbone);
  if (g.uniqueName(tap) === tap) throw new RangeError(`the backbone graph has no tensor "${tap}"`);
  for (const name of g.outputNames()) g.removeOutput(name);
  if (!pool) {
    g.addOutput(tap, ['batch', 'channels', 'height', 'width']);
    g.pruneToOutputs();
    return { bytes: g.encode(), output: tap };
  }
  g.addNode('ReduceMean', [tap], [POOLED], { axes: [2, 3], keepdims: 0 });
  g.addOutput(POOLED, ['batch', 'channels']);
  g.pruneToOutputs();
  return { bytes: g.encode(), output: POOLED };
}

/**
 * An intermediate tensor of the backbone (NCHW, any node's output) averaged over its
 * spatial axes, for `files` with the serving preprocessing: what a descriptor with
 * `features.pool: 'spatial-mean'` reads (the graph adds the same ReduceMean). Returns
 * `files.length × channels` floats. Cached per image under
 * `.cache/features/taps/<backbone SHA-256 + tap + input>/<variant>/`, entries keyed like
 * the backbone features (path, size, mtime).
 */
export async function cachedTapFeatures(
  backbonePath: string,
  tap: string,
  files: readonly string[],
  variant: ImageVariant,
  input: ModelManifest['input'],
  log: (line: string) => void,
): Promise<{ dim: number; features: Float32Array }> {
  const backbone = readFileSync(backbonePath);
  const dir = join(FEATURE_CACHE_DIR, 'taps', digest({ backbone: sha256(backbone), tap, input }), variant.name.replace(/[^A-Za-z0-9._-]/g, '_'));
  const entries = files.map((f) => {
    const s = statSync(f);
    return join(dir, `${digest([resolve(f), s.size, Math.round(s.mtimeMs)])}.bin`);
  });
  const cached = entries.map((e) => tryRead(e));
  const missing = cached.flatMap((c, i) => (c === undefined ? [i] : []));
  let dim = cached.find((c) => c !== undefined)?.length;
  dim = dim === undefined ? undefined : dim / 4;
  const rows = new Map<number, Float32Array>();
  cached.forEach((c, i) => {
    if (c !== undefined) rows.set(i, new Float32Array(c.buffer.slice(c.byteOffset, c.byteOffset + c.byteLength)));
  });
  if (missing.length > 0) {
    const graph = tapGraph(backbone, tap, true);
    const session = await ort.InferenceSession.create(graph.bytes, { intraOpNumThreads: 0, interOpNumThreads: 1 });
    const preprocessing = extractorPreprocessing();
    mkdirSync(dir, { recursive: true });
    const started = Date.now();
    try {
      for (let at = 0; at < missing.length; at += BATCH) {
        const batch = missing.slice(at, at + BATCH);
        const tensor = new Float32Array(batch.length * input.width * input.height * input.channels);
        for (let j = 0; j < batch.length; j++) {
          const raw = readFileSync(files[batch[j]]);
          const bytes = variant.transform === undefined ? raw : await variant.transform(raw);
          preprocessing.write((await preprocessing.decode(bytes, input)).rgb, tensor, j, input);
        }
        const dims = input.layout === 'NHWC' ? [batch.length, input.height, input.width, input.channels] : [batch.length, input.channels, input.height, input.width];
        const out = (await session.run({ [input.name]: new ort.Tensor('float32', tensor, dims) }))[graph.output];
        const width = out.dims[1];
        dim ??= width;
        if (width !== dim) throw new RangeError(`tap "${tap}" gave ${width} channels, the cache holds ${dim}`);
        const data = out.data as Float32Array;
        batch.forEach((i, j) => {
          const row = data.slice(j * width, (j + 1) * width);
          rows.set(i, row);
          const tmp = `${entries[i]}.${process.pid}.tmp`;
          writeFileSync(tmp, Buffer.from(row.buffer, row.byteOffset, row.byteLength));
          renameSync(tmp, entries[i]);
        });
        const done = Math.min(at + BATCH, missing.length);
        if (done % 512 < BATCH || done === missing.length) log(`  tap ${tap} ${variant.name}: ${done}/${missing.length} extracted (${((done * 1000) / Math.max(1, Date.now() - started)).toFixed(1)} img/s)`);
      }
    } finally {
      await session.release();
    }
  }
  if (dim === undefined) throw new RangeError('no images');
  const features = new Float32Array(files.length * dim);
  for (let i = 0; i < files.length; i++) features.set(rows.get(i) ?? new Float32Array(dim), i * dim);
  return { dim, features };
}
