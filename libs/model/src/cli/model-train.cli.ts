import { readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { Command } from 'commander';
import { reasonOf } from '@stylestream/errors';
import { DEFAULT_MODEL_ID, sha256 } from '../convert/default-model.build';
import { appendDescriptorGraph } from '../convert/descriptor-graph';
import { DEFAULT_DESCRIPTOR, descriptorCandidates } from '../descriptor/default-descriptor';
import type { DescriptorSpec } from '../manifest/model-manifest.schema';
import { loadModel } from '../session/model.loader';
import { listLabelledImages } from '../train/labelled-images';
import { DESCRIPTOR_OUTPUT, writeHeadModel } from '../train/head-model.writer';
import { describeDescriptor, trainDescriptorHead } from '../train/descriptor-head.trainer';
import { DEFAULT_HEAD_CANDIDATES, type TrainedHead, trainProjectionHead } from '../train/projection-head.trainer';
import { cachedBackboneFeatures } from './cached-backbone-features';
import { cachedTapFeatures } from './cached-tap-features';
import { cachedThumbnails } from './cached-thumbnails';

interface TrainFlags {
  images: string;
  out?: string;
  base: string;
  dim: string;
  modelsDir: string;
  threads: string;
  thumbnail: string;
  thumbnailColour: string;
  centre: boolean;
  power: string;
  thumbnailWeights: string;
  tap?: string;
}

/**
 * `npm run model:train -- --images <dir> [--out models/<id>] [--base <model id>] [--dim 256]
 * [--thumbnail <size>|0] [--power <p>] [--thumbnail-weights <w,...>]`:
 * extracts backbone features of `<dir>/<class>/*.jpg` with the extractor's
 * preprocessing (cached under .cache/features) and, unless `--thumbnail 0`, the pooled
 * thumbnails of the same input tensors; learns PCA-whitening + a discriminant head
 * over the descriptor [power-normalised features ‖ thumbnail] (the thumbnail weight
 * chosen on held-out training rows) or over the features alone; writes the head as a
 * new model `<id>` next to the base model. With `--tap <node>` the descriptor's features
 * block is that intermediate backbone tensor averaged over its spatial axes (cached
 * under .cache/features/taps) instead of the backbone output; `--thumbnail 0` then
 * leaves the thumbnail block out.
 */
async function main(argv: string[]): Promise<void> {
  const flags = new Command('model:train')
    .requiredOption('--images <dir>', 'labelled folders: <dir>/<class>/*.jpg')
    .option('--out <dir>', 'the new model folder, models/<id> (default: <models-dir>/<base>-h<dim>)')
    .option('--base <id>', 'model whose backbone features are learned from', DEFAULT_MODEL_ID)
    .option('--dim <n>', 'output dim of the head', '256')
    .option('--models-dir <dir>', 'where models live', 'models')
    .option('--threads <n>', 'onnxruntime intra-op threads (0: one per core)', '0')
    .option('--thumbnail <size>', 'descriptor thumbnail size (must divide the input size); 0: head over the backbone features alone', String(DEFAULT_DESCRIPTOR.size))
    .option('--thumbnail-colour <rgb|grey>', 'thumbnail channels', DEFAULT_DESCRIPTOR.colour)
    .option('--no-centre', 'keep the thumbnail mean (default: subtract it per channel)')
    .option('--power <p>', 'signed power applied to the features in the descriptor (1: none)', String(DEFAULT_DESCRIPTOR.power))
    .option('--thumbnail-weights <w,...>', 'thumbnail block weights tried (chosen on held-out rows)', DEFAULT_DESCRIPTOR.thumbnailWeights.join(','))
    .option('--tap <node>', 'features block: this intermediate backbone tensor (NCHW) averaged over H and W, instead of the backbone output')
    .parse(argv, { from: 'user' })
    .opts<TrainFlags>();
  const dim = Number(flags.dim);
  if (!Number.isInteger(dim) || dim < 2) throw new Error(`--dim must be an integer ≥ 2, got ${flags.dim}`);
  const size = Number(flags.thumbnail);
  if (!Number.isInteger(size) || size < 0) throw new Error(`--thumbnail must be an integer ≥ 0, got ${flags.thumbnail}`);
  if (flags.thumbnailColour !== 'rgb' && flags.thumbnailColour !== 'grey') throw new Error(`--thumbnail-colour must be rgb or grey, got ${flags.thumbnailColour}`);
  const power = Number(flags.power);
  const weights = flags.thumbnailWeights.split(',').map(Number);
  if (!(power > 0 && power <= 1)) throw new Error(`--power must be in (0, 1], got ${flags.power}`);
  if (weights.length === 0 || weights.some((w) => !(w > 0))) throw new Error(`--thumbnail-weights must be positive numbers, got ${flags.thumbnailWeights}`);
  const modelsDir = resolve(flags.modelsDir);
  const out = resolve(flags.out ?? `${modelsDir}/${flags.base}-h${dim}`);
  if (resolve(dirname(out)) !== modelsDir) throw new Error(`--out must be a folder directly under ${modelsDir} (models/<id>), got ${out}`);
  const log = (line: string) => process.stdout.write(`${line}\n`);

  const set = listLabelledImages(resolve(flags.images));
  log(`${set.images.length} images in ${set.classes.length} classes (${set.classes.join(', ')}) from ${set.root}`);
  const model = await loadModel({ modelsDir, modelId: flags.base, executionProviders: ['cpu'], intraOpThreads: Number(flags.threads), interOpThreads: 1 });
  try {
    const base = model.manifest;
    const files = set.images.map((i) => i.path);
    const backbonePath = join(modelsDir, base.backbone ?? base.id, base.file);
    const tap = flags.tap;
    const tapped = tap === undefined ? undefined : { name: tap, ...(await cachedTapFeatures(backbonePath, tap, files, { name: 'original' }, base, log)) };
    const { features, cached } = tapped === undefined ? await cachedBackboneFeatures(model, files, { name: 'original' }, log) : { features: tapped.features, cached: 0 };
    const featureDim = tapped?.dim ?? base.output.dim;
    log(`features: ${set.images.length} × ${featureDim}${tapped === undefined ? ` (${cached} from the cache)` : ` (tap ${tapped.name}, spatial mean)`}`);
    const options = { outputDim: dim, heldOutShare: 0.2, seed: 7, candidates: DEFAULT_HEAD_CANDIDATES, log };
    let head: TrainedHead;
    let descriptor: Parameters<typeof writeHeadModel>[4];
    let method: string;
    if (size === 0 && tapped === undefined) {
      head = trainProjectionHead(features, set.labels, base.output.dim, options);
      method = head.method;
    } else if (size === 0 && tapped !== undefined) {
      const spec: DescriptorSpec = { features: { name: tapped.name, dim: tapped.dim, power, weight: 1, pool: 'spatial-mean' } };
      const trained = trainDescriptorHead(features, new Float32Array(0), set.labels, [spec], options);
      head = trained.head;
      method = `${describeDescriptor(spec)} → ${head.method}`;
      descriptor = { spec, graphSha256: sha256(appendDescriptorGraph(readFileSync(backbonePath), spec, base.input, DESCRIPTOR_OUTPUT)) };
    } else {
      const thumbnails = await cachedThumbnails(files, { name: 'original' }, base.input, size, log);
      const specs = descriptorCandidates({ name: tapped?.name ?? base.output.name, dim: featureDim, ...(tapped === undefined ? {} : { pool: 'spatial-mean' as const }) }, { size, colour: flags.thumbnailColour, centre: flags.centre, power, thumbnailWeights: weights });
      const trained = trainDescriptorHead(features, thumbnails, set.labels, specs, options);
      for (const t of trained.tried) log(`  ${describeDescriptor(t.spec)}: held-out 1-NN ${(100 * t.head.heldOut.nearestNeighbourAccuracy).toFixed(1)} % (${t.head.method})`);
      head = trained.head;
      method = `${describeDescriptor(trained.spec)} → ${head.method}`;
      descriptor = { spec: trained.spec, graphSha256: sha256(appendDescriptorGraph(readFileSync(backbonePath), trained.spec, base.input, DESCRIPTOR_OUTPUT)) };
    }
    const manifest = writeHeadModel(
      modelsDir,
      base,
      head.projection,
      {
        id: basename(out),
        method,
        source: relative(process.cwd(), set.root) || '.',
        images: set.images.length,
        classes: set.classes,
        heldOutNearestNeighbourAccuracy: head.heldOut.nearestNeighbourAccuracy,
      },
      descriptor,
    );
    log(`chosen: ${method} (held-out 1-NN ${(100 * head.heldOut.nearestNeighbourAccuracy).toFixed(1)} %, mAP@10 ${(100 * head.heldOut.meanAveragePrecisionAt10).toFixed(1)} %)`);
    log(`wrote ${out}: ${manifest.id} ${manifest.version}, ${manifest.projection?.inputDim} → ${manifest.projection?.outputDim}`);
  } finally {
    await model.release();
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`model:train failed: ${reasonOf(err)}\n`);
  process.exit(1);
});
