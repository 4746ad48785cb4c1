import {
  type DescriptorSpec,
  type LabelledRows,
  type ModelEmbedder,
  type RetrievalQuality,
  DEFAULT_DESCRIPTOR,
  DEFAULT_HEAD_CANDIDATES,
  composeDescriptorRows,
  describeDescriptor,
  descriptorCandidates,
  descriptorDim,
  trainDescriptorHead,
  applyAffine,
  fitPrincipalComponents,
  projectRows,
  l2NormaliseRows,
  retrievalQuality,
  trainProjectionHead,
  type LinearProjection,
} from '@stylestream/model';
import { NEAR_DUPLICATE_TRANSFORMS, type NearDuplicateTransform, transformImage } from './support/image-transforms';
import { join } from 'node:path';
import { cachedTapFeatures } from '../libs/model/src/cli/cached-tap-features';
import type { ImageVariant } from '../libs/model/src/cli/cached-backbone-features';
import { cachedThumbnails } from '../libs/model/src/cli/cached-thumbnails';
import { hammingSpread, similaritySpread, type SimilaritySpread } from './support/quality-near-duplicates';
import { pixelVectors } from './support/quality-pixels';
import {
  HEAD_MODEL_ID,
  loadBaseModel,
  loadCommittedHead,
  log,
  nearDuplicateSample,
  originalFeatures,
  qualitySplits,
  splitFeatures,
  transformedFeatures,
} from './support/quality-dataset';

const GOAL_NN = 0.75;

/**
 * `npm run bench -- quality [--quick]`: retrieval quality of the vector spaces on
 * clothing-small (index = train/, queries = validation/, cosine; 16×16 pixels
 * Euclidean): 1-NN accuracy and mAP@10 for raw 16×16 pixels, raw 1280-d backbone
 * features, PCA-256, a head over the features alone and the descriptor head
 * ([power-normalised features ‖ pooled thumbnail] → PCA-whitening + LDA), both learned in
 * this run from train/ only, and the committed head (models/mobilenet-v2-nsfwjs-h256).
 * Then near-duplicate figures: cosine of transformed copies vs their original and
 * between distinct images, in the 1280-d and 256-d spaces, and pHash Hamming distances.
 * Features and thumbnails are cached under .cache/features.
 * --quick: 100 near-duplicate originals and 400 distinct images (500 and 1500 otherwise),
 * and, when the committed head has a descriptor, its figures stand for the descriptor
 * head (no refit in the run; the full run refits over all default thumbnail weights).
 */
export async function run(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const sizes = quick ? { nearDup: 100, distinct: 400 } : { nearDup: 500, distinct: 1500 };
  const { train, validation } = qualitySplits();
  log(`clothing-small: ${train.images.length} train / ${validation.images.length} validation images, ${train.classes.length} classes`);
  const model = await loadBaseModel();
  const committed = await loadCommittedHead();
  try {
    const started = Date.now();
    const trainF = await splitFeatures(model, train);
    const valF = await splitFeatures(model, validation);
    log(`backbone features: ${trainF.cached + valF.cached} of ${train.images.length + validation.images.length} from the cache, ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const dim = trainF.dim;
    const rows = (r: Float32Array, labels: Int32Array, d: number): LabelledRows => ({ rows: r, labels, dim: d });
    const results: Record<string, RetrievalQuality> = {};
    const report = (name: string, q: RetrievalQuality, label = name) => {
      results[name] = q;
      log(`${label.padEnd(40)} 1-NN ${(100 * q.nearestNeighbourAccuracy).toFixed(1).padStart(5)} %   mAP@10 ${(100 * q.meanAveragePrecisionAt10).toFixed(1).padStart(5)} %`);
    };

    const trainPixels = await pixelVectors(train.images.map((i) => i.path), log);
    const valPixels = await pixelVectors(validation.images.map((i) => i.path), log);
    log(`\n${validation.images.length} queries against ${train.images.length} indexed images:`);
    report('raw 16×16 pixels (euclidean)', retrievalQuality(rows(trainPixels.rows, train.labels, trainPixels.dim), rows(valPixels.rows, validation.labels, valPixels.dim), 'euclidean'));
    report('raw 16×16 pixels (cosine)', retrievalQuality(rows(trainPixels.rows, train.labels, trainPixels.dim), rows(valPixels.rows, validation.labels, valPixels.dim)));
    report(`raw ${dim}-d features`, retrievalQuality(rows(trainF.features, train.labels, dim), rows(valF.features, validation.labels, dim)));

    const pcaStarted = Date.now();
    const n = train.images.length;
    const pca = fitPrincipalComponents(trainF.features, n, dim, 256);
    log(`(PCA of ${n} × ${dim} in ${((Date.now() - pcaStarted) / 1000).toFixed(1)} s)`);
    const pcaProject = (f: Float32Array) => applyAffine(f, f.length / dim, dim, pca.mean, pca.components, 256);
    report('PCA-256', retrievalQuality(rows(pcaProject(trainF.features), train.labels, 256), rows(pcaProject(valF.features), validation.labels, 256)));

    const featureHead = trainProjectionHead(trainF.features, train.labels, dim, { outputDim: 256, heldOutShare: 0.2, seed: 7, candidates: DEFAULT_HEAD_CANDIDATES, pca, log: (l) => log(`  ${l}`) });
    const applyHead = (p: LinearProjection, f: Float32Array) => {
      const out = projectRows(p, f, f.length / p.inputDim);
      l2NormaliseRows(out, p.outputDim);
      return out;
    };
    log(`  chosen: ${featureHead.method}`);
    report('feature head', retrievalQuality(rows(applyHead(featureHead.projection, trainF.features), train.labels, 256), rows(applyHead(featureHead.projection, valF.features), validation.labels, 256)), 'head over the features alone (this run)');

    // The descriptor head: the committed model's descriptor (or the defaults) over cached features + thumbnails.
    const committedSpec = committed?.manifest.descriptor;
    const input = model.manifest.input;
    const size = committedSpec?.thumbnail?.size ?? DEFAULT_DESCRIPTOR.size;
    // A committed descriptor over a pooled intermediate tensor reads that tensor, not the backbone output.
    const tap = committedSpec?.features.pool === undefined ? undefined : committedSpec.features.name;
    const backbonePath = join('models', model.manifest.id, model.manifest.file);
    const tapRows = async (files: readonly string[], variant: ImageVariant): Promise<Float32Array | undefined> =>
      tap === undefined ? undefined : (await cachedTapFeatures(backbonePath, tap, files, variant, model.manifest, log)).features;
    const trainTap = await tapRows(train.images.map((i) => i.path), { name: 'original' });
    const valTap = await tapRows(validation.images.map((i) => i.path), { name: 'original' });
    const trainT = await cachedThumbnails(train.images.map((i) => i.path), { name: 'original' }, input, size, log);
    const valT = await cachedThumbnails(validation.images.map((i) => i.path), { name: 'original' }, input, size, log);
    const descriptorRows = (spec: DescriptorSpec, f: Float32Array, t: Float32Array) => composeDescriptorRows(f, t, f.length / dim, spec);
    const describeRun = (s: DescriptorSpec) => `${describeDescriptor(s)} → ${descriptorDim(s)}-d`;
    // --quick with a committed descriptor head: its figures stand for the method (same data, same deterministic trainer) and the costly refit is skipped.
    const trained = quick && committedSpec !== undefined
      ? undefined
      : committedSpec !== undefined && trainTap !== undefined
        ? trainDescriptorHead(trainTap, new Float32Array(0), train.labels, [committedSpec], { outputDim: 256, heldOutShare: 0.2, seed: 7, candidates: DEFAULT_HEAD_CANDIDATES, log: (l) => log(`  ${l}`) })
        : trainDescriptorHead(trainF.features, trainT, train.labels, descriptorCandidates({ name: model.manifest.output.name, dim }, { ...DEFAULT_DESCRIPTOR, size, ...(committedSpec?.thumbnail === undefined ? {} : { colour: committedSpec.thumbnail.colour, centre: committedSpec.thumbnail.centre, power: committedSpec.features.power }) }), { outputDim: 256, heldOutShare: 0.2, seed: 7, candidates: DEFAULT_HEAD_CANDIDATES, log: (l) => log(`  ${l}`) });
    const headInput = (spec: DescriptorSpec, f: Float32Array, t: Float32Array | undefined, tapped: Float32Array | undefined): Float32Array =>
      spec.features.pool === undefined ? descriptorRows(spec, f, t ?? new Float32Array(0)) : composeDescriptorRows(required(tapped, 'tap rows'), t ?? new Float32Array(0), f.length / dim, spec);
    if (trained !== undefined) {
      for (const t of trained.tried) log(`  ${describeRun(t.spec)}: held-out 1-NN ${(100 * t.head.heldOut.nearestNeighbourAccuracy).toFixed(1)} %`);
      log(`  chosen: ${describeRun(trained.spec)} → ${trained.head.method}`);
      report('learned head', retrievalQuality(rows(applyHead(trained.head.projection, headInput(trained.spec, trainF.features, trainT, trainTap)), train.labels, 256), rows(applyHead(trained.head.projection, headInput(trained.spec, valF.features, valT, valTap)), validation.labels, 256)), 'descriptor head (trained in this run)');
    }
    /** The committed model's embedding of cached backbone features (+ thumbnails when it has a descriptor). */
    const committedSpace = (c: ModelEmbedder, f: Float32Array, t: Float32Array | undefined, tapped?: Float32Array): Float32Array => {
      const spec = c.manifest.descriptor;
      if (spec === undefined) return c.project(Float32Array.from(f), f.length / dim);
      if (t === undefined && spec.thumbnail !== undefined) throw new RangeError('a descriptor model with a thumbnail needs thumbnails');
      return c.project(headInput(spec, f, t, tapped), f.length / dim);
    };
    if (committed !== undefined) {
      const q = retrievalQuality(rows(committedSpace(committed, trainF.features, trainT, trainTap), train.labels, 256), rows(committedSpace(committed, valF.features, valT, valTap), validation.labels, 256));
      report('committed head', q, `committed head ${committed.manifest.version}`);
      if (trained === undefined) results['learned head'] = q;
    } else {
      log(`committed head: models/${HEAD_MODEL_ID} not found (npm run model:train -- --images <train dir>)`);
    }

    // Near-duplicates: transformed copies vs distinct images.
    const all = [...train.images, ...validation.images].map((i) => i.path);
    const sample = nearDuplicateSample(all, sizes.nearDup);
    const distinctFiles = nearDuplicateSample(all, sizes.distinct, 23);
    log(`\nnear-duplicates: ${sample.length} originals × ${NEAR_DUPLICATE_TRANSFORMS.length} transforms; distinct pairs among ${distinctFiles.length} images`);
    const originals = await originalFeatures(model, sample);
    const distinct = await originalFeatures(model, distinctFiles);
    const copies = await transformedFeatures(model, sample);
    const thumbs = { originals: await cachedThumbnails(sample, { name: 'original' }, input, size, log), distinct: await cachedThumbnails(distinctFiles, { name: 'original' }, input, size, log) };
    const copyThumbs = new Map<NearDuplicateTransform, Float32Array>();
    for (const t of NEAR_DUPLICATE_TRANSFORMS) copyThumbs.set(t, await cachedThumbnails(sample, { name: t, transform: (bytes) => transformImage(bytes, t) }, input, size, log));
    const taps = { originals: await tapRows(sample, { name: 'original' }), distinct: await tapRows(distinctFiles, { name: 'original' }) };
    const copyTaps = new Map<NearDuplicateTransform, Float32Array | undefined>();
    for (const t of NEAR_DUPLICATE_TRANSFORMS) copyTaps.set(t, await tapRows(sample, { name: t, transform: (bytes) => transformImage(bytes, t) }));
    const space256 = committed !== undefined
      ? (f: Float32Array, t: Float32Array | undefined, tapped?: Float32Array) => committedSpace(committed, f, t, tapped)
      : (f: Float32Array, t: Float32Array | undefined, tapped?: Float32Array) => (trained === undefined ? f : applyHead(trained.head.projection, headInput(trained.spec, f, t, tapped)));
    const spreads: Record<string, SimilaritySpread> = {};
    for (const [name, map, d] of [
      [`${dim}-d`, (f: Float32Array, _t?: Float32Array, _tapped?: Float32Array) => f, dim],
      [`256-d head${committed === undefined ? ' (this run)' : ''}`, space256, 256],
    ] as const) {
      const copyRows = new Map<NearDuplicateTransform, Float32Array>([...copies].map(([t, c]) => [t, map(c.features, copyThumbs.get(t), copyTaps.get(t))]));
      const s = similaritySpread(map(originals.features, thumbs.originals, taps.originals), copyRows, map(distinct.features, thumbs.distinct, taps.distinct), distinctFiles.length, d);
      spreads[name] = s;
      log(`cosine ${name.padEnd(10)} copies: min ${s.copies.min.toFixed(4)} p1 ${s.copies.p1.toFixed(4)} p5 ${s.copies.p5.toFixed(4)} median ${s.copies.median.toFixed(4)}` +
        ` | distinct (${s.distinct.pairs} pairs): max ${s.distinct.max.toFixed(4)} p99.9 ${s.distinct.p999.toFixed(4)} p99 ${s.distinct.p99.toFixed(4)}`);
      log(`       min by transform: ${Object.entries(s.copies.minByTransform).map(([t, v]) => `${t} ${v.toFixed(4)}`).join(', ')}`);
    }
    const hamming = hammingSpread(originals, copies, distinct.perceptualHashes);
    log(`pHash Hamming copies: median ${hamming.copies.median} p95 ${hamming.copies.p95} p99 ${hamming.copies.p99} max ${hamming.copies.max} (max by transform: ${Object.entries(hamming.copies.maxByTransform).map(([t, v]) => `${t} ${v}`).join(', ')})` +
      ` | distinct (${hamming.distinct.pairs} pairs): min ${hamming.distinct.min} p0.1 ${hamming.distinct.p001} p1 ${hamming.distinct.p01}`);

    const pct = (q: RetrievalQuality | undefined) => (q === undefined ? null : Number((100 * q.nearestNeighbourAccuracy).toFixed(2)));
    const map10 = (q: RetrievalQuality | undefined) => (q === undefined ? null : Number((100 * q.meanAveragePrecisionAt10).toFixed(2)));
    const s1280 = spreads[`${dim}-d`];
    const s256 = Object.entries(spreads).find(([k]) => k.startsWith('256'))?.[1];
    const headNn = results['learned head'].nearestNeighbourAccuracy;
    process.stdout.write(`${JSON.stringify({
      bench: 'quality',
      quick,
      pixels_1nn: pct(results['raw 16×16 pixels (euclidean)']),
      raw_1nn: pct(results[`raw ${dim}-d features`]),
      pca256_1nn: pct(results['PCA-256']),
      feature_head_1nn: pct(results['feature head']),
      head_1nn: pct(results['learned head']),
      committed_head_1nn: pct(results['committed head']),
      pixels_map10: map10(results['raw 16×16 pixels (euclidean)']),
      raw_map10: map10(results[`raw ${dim}-d features`]),
      pca256_map10: map10(results['PCA-256']),
      feature_head_map10: map10(results['feature head']),
      head_map10: map10(results['learned head']),
      committed_head_map10: map10(results['committed head']),
      head_method: trained === undefined ? (committed?.manifest.projection?.training?.method ?? null) : `${describeDescriptor(trained.spec)} → ${trained.head.method}`,
      head_trained_in_run: trained !== undefined,
      goal_head_1nn: GOAL_NN * 100,
      goal_met: headNn >= GOAL_NN,
      near_dup_copies: sample.length * NEAR_DUPLICATE_TRANSFORMS.length,
      cos1280_copy_min: round(s1280.copies.min), cos1280_copy_p1: round(s1280.copies.p1), cos1280_distinct_max: round(s1280.distinct.max), cos1280_distinct_p999: round(s1280.distinct.p999),
      cos256_copy_min: round(s256?.copies.min), cos256_copy_p1: round(s256?.copies.p1), cos256_distinct_max: round(s256?.distinct.max), cos256_distinct_p999: round(s256?.distinct.p999),
      phash_copy_max: hamming.copies.max, phash_copy_p99: hamming.copies.p99, phash_distinct_min: hamming.distinct.min, phash_distinct_p001: hamming.distinct.p001,
    })}\n`);
  } finally {
    await model.release();
    await committed?.release();
  }
}

function round(v: number | undefined): number | null {
  return v === undefined ? null : Number(v.toFixed(4));
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new RangeError(`missing ${what}`);
  return value;
}
