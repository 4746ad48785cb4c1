import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { sha256 } from '../convert/default-model.build';
import { detachOutputsAt, SPATIAL_MEAN } from '../convert/descriptor-graph';
import { OnnxGraphBuilder } from '../convert/onnx-graph.builder';
import type { ModelManifest } from '../manifest/model-manifest.schema';
import { FEATURE_CACHE_DIR, type ImageVariant, cacheEntries, digest, extractMissing, floatsOf, tryRead, writeCacheEntry } from './cached-backbone-features';

const POOLED = 'tap_spatial_mean';

/**
 * The backbone graph with one output: the intermediate tensor `tap`, averaged over its
 * spatial axes (axes 2, 3 of NCHW) when `pool`, else as it is; the nodes after it removed.
 */
export function tapGraph(backbone: Uint8Array, tap: string, pool: boolean): { bytes: Uint8Array; output: string } {
  const g = OnnxGraphBuilder.extend(backbone);
  detachOutputsAt(g, tap);
  let output = tap;
  if (pool) {
    output = POOLED;
    g.addNode('ReduceMean', [tap], [output], SPATIAL_MEAN);
    g.addOutput(output, ['batch', 'channels']);
  } else {
    g.addOutput(output, ['batch', 'channels', 'height', 'width']);
  }
  g.pruneToOutputs();
  return { bytes: g.encode(), output };
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
  manifest: ModelManifest,
  log: (line: string) => void,
): Promise<{ dim: number; features: Float32Array }> {
  const { input } = manifest;
  const backbone = readFileSync(backbonePath);
  const dir = join(FEATURE_CACHE_DIR, 'taps', digest({ backbone: sha256(backbone), tap, input }), variant.name.replace(/[^A-Za-z0-9._-]/g, '_'));
  const entries = cacheEntries(dir, files);
  const cached = entries.map((e) => tryRead(e));
  const missing = cached.flatMap((c, i) => (c === undefined ? [i] : []));
  const known = cached.find((c) => c !== undefined);
  if (missing.length === 0) {
    if (known === undefined) throw new RangeError('no images');
    const dim = known.length / 4;
    const features = new Float32Array(files.length * dim);
    cached.forEach((c, i) => features.set(floatsOf(c ?? Buffer.alloc(0)), i * dim));
    return { dim, features };
  }
  const graph = tapGraph(backbone, tap, true);
  const session = await ort.InferenceSession.create(graph.bytes, { intraOpNumThreads: 0, interOpNumThreads: 1 });
  try {
    const inputSize = input.width * input.height * input.channels;
    const run = async (batch: Float32Array, n: number): Promise<ort.Tensor> => {
      const dims = input.layout === 'NHWC' ? [n, input.height, input.width, input.channels] : [n, input.channels, input.height, input.width];
      return (await session.run({ [input.name]: new ort.Tensor('float32', batch, dims) }))[graph.output];
    };
    // The tap's channel count, from one blank image.
    const dim = (await run(new Float32Array(inputSize), 1)).dims[1];
    if (known !== undefined && known.length !== dim * 4) throw new RangeError(`tap "${tap}" gives ${dim} channels, the cache holds ${known.length / 4}`);
    mkdirSync(dir, { recursive: true });
    const tapModel = { manifest: { ...manifest, output: { name: graph.output, dim, normalisation: 'none' as const } }, inputSize, backbone: async (batch: Float32Array, n: number) => (await run(batch, n)).data as Float32Array };
    const extracted = await extractMissing(tapModel, files, missing, variant, `tap ${tap} ${variant.name}`, log);
    const features = new Float32Array(files.length * dim);
    cached.forEach((c, i) => {
      if (c !== undefined) features.set(floatsOf(c), i * dim);
    });
    missing.forEach((i, j) => {
      const row = extracted.subarray(j * dim, (j + 1) * dim);
      features.set(row, i * dim);
      writeCacheEntry(entries[i], Buffer.from(row.buffer, row.byteOffset, row.byteLength));
    });
    return { dim, features };
  } finally {
    await session.release();
  }
}
