import { basename, dirname, relative, resolve } from 'node:path';
import { Command } from 'commander';
import { reasonOf } from '@stylestream/errors';
import { DEFAULT_MODEL_ID } from '../convert/default-model.build';
import { loadModel } from '../session/model.loader';
import { listLabelledImages } from '../train/labelled-images';
import { writeHeadModel } from '../train/head-model.writer';
import { DEFAULT_HEAD_CANDIDATES, trainProjectionHead } from '../train/projection-head.trainer';
import { cachedBackboneFeatures } from './cached-backbone-features';

interface TrainFlags {
  images: string;
  out?: string;
  base: string;
  dim: string;
  modelsDir: string;
  threads: string;
}

/**
 * `npm run model:train -- --images <dir> [--out models/<id>] [--base <model id>] [--dim 256]`:
 * extracts backbone features of `<dir>/<class>/*.jpg` with the extractor's
 * preprocessing (cached under .cache/features), learns PCA-whitening + a discriminant
 * head, and writes the head as a new model `<id>` next to the base model.
 */
async function main(argv: string[]): Promise<void> {
  const flags = new Command('model:train')
    .requiredOption('--images <dir>', 'labelled folders: <dir>/<class>/*.jpg')
    .option('--out <dir>', 'the new model folder, models/<id> (default: <models-dir>/<base>-h<dim>)')
    .option('--base <id>', 'model whose backbone features are learned from', DEFAULT_MODEL_ID)
    .option('--dim <n>', 'output dim of the head', '256')
    .option('--models-dir <dir>', 'where models live', 'models')
    .option('--threads <n>', 'onnxruntime intra-op threads (0: one per core)', '0')
    .parse(argv, { from: 'user' })
    .opts<TrainFlags>();
  const dim = Number(flags.dim);
  if (!Number.isInteger(dim) || dim < 2) throw new Error(`--dim must be an integer ≥ 2, got ${flags.dim}`);
  const modelsDir = resolve(flags.modelsDir);
  const out = resolve(flags.out ?? `${modelsDir}/${flags.base}-h${dim}`);
  if (resolve(dirname(out)) !== modelsDir) throw new Error(`--out must be a folder directly under ${modelsDir} (models/<id>), got ${out}`);
  const log = (line: string) => process.stdout.write(`${line}\n`);

  const set = listLabelledImages(resolve(flags.images));
  log(`${set.images.length} images in ${set.classes.length} classes (${set.classes.join(', ')}) from ${set.root}`);
  const model = await loadModel({ modelsDir, modelId: flags.base, executionProviders: ['cpu'], intraOpThreads: Number(flags.threads), interOpThreads: 1 });
  try {
    const { features, cached } = await cachedBackboneFeatures(model, set.images.map((i) => i.path), { name: 'original' }, log);
    log(`features: ${set.images.length} × ${model.manifest.output.dim} (${cached} from the cache)`);
    const head = trainProjectionHead(features, set.labels, model.manifest.output.dim, { outputDim: dim, heldOutShare: 0.2, seed: 7, candidates: DEFAULT_HEAD_CANDIDATES, log });
    const manifest = writeHeadModel(modelsDir, model.manifest, head.projection, {
      id: basename(out),
      method: head.method,
      source: relative(process.cwd(), set.root) || '.',
      images: set.images.length,
      classes: set.classes,
      heldOutNearestNeighbourAccuracy: head.heldOut.nearestNeighbourAccuracy,
    });
    log(`chosen: ${head.method} (held-out 1-NN ${(100 * head.heldOut.nearestNeighbourAccuracy).toFixed(1)} %, mAP@10 ${(100 * head.heldOut.meanAveragePrecisionAt10).toFixed(1)} %)`);
    log(`wrote ${out}: ${manifest.id} ${manifest.version}, ${manifest.projection?.inputDim} → ${manifest.projection?.outputDim}`);
  } finally {
    await model.release();
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`model:train failed: ${reasonOf(err)}\n`);
  process.exit(1);
});
