import { createHash } from 'node:crypto';
import type { ModelEmbedder } from '@stylestream/model';
import { classify, NEAR_RULES, type DedupeCandidate, type DedupeThresholds, type NearRule } from '../apps/dedupe/src/dedupe.classifier';
import { dedupeConfigSchema } from '../apps/dedupe/src/dedupe.config';
import { DedupeState } from '../apps/dedupe/src/dedupe-state';
import type { CachedFeatures } from '../libs/model/src/cli/cached-backbone-features';
import { NEAR_DUPLICATE_TRANSFORMS } from './support/image-transforms';
import { loadBaseModel, loadCommittedHead, log, nearDuplicateSample, originalFeatures, qualitySplits, transformedFeatures } from './support/quality-dataset';

/** One labelled query for the classifier: a transformed copy (expects its original) or a distinct image (expects UNIQUE). */
interface Query {
  readonly candidate: DedupeCandidate;
  readonly expected: string | null;
  readonly transform: string;
}

interface Score {
  readonly recall: number;
  readonly falsePositiveRate: number;
  readonly precision: number;
  readonly truePositives: number;
  readonly missed: number;
  readonly wrongOriginal: number;
  readonly falsePositives: number;
  readonly recallByTransform: Record<string, number>;
}

const GOAL = { recall: 0.99, falsePositiveRate: 0.01 };

/**
 * `npm run bench -- dedupe [--quick]`: calibrates the near-duplicate thresholds of
 * apps/dedupe on clothing-small with the app's own classifier (`classify` over a
 * `DedupeState`, pHash band candidates included). The state holds every original image
 * except a held-out set of distinct images as canonicals; queries are transformed
 * copies of sampled originals (resize 50 %, JPEG q40, 10 % crop, brightness +10 %;
 * expected NEAR_DUPLICATE of their original) and the held-out distinct images
 * (expected UNIQUE). Prints recall, false-positive rate and precision at the configured
 * thresholds (DEDUPE_* env or defaults) and a sweep, in the 1280-d backbone space and
 * the 256-d head space. --quick: 100 originals × 4 copies, 300 distinct (500 and 1000).
 */
export async function run(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const sizes = quick ? { copies: 100, distinct: 300 } : { copies: 500, distinct: 1000 };
  const config = dedupeConfigSchema.parse(process.env);
  const configured: DedupeThresholds = { maxHammingDistance: config.DEDUPE_PHASH_MAX_DISTANCE, minCosine: config.DEDUPE_COSINE_MIN, rule: config.DEDUPE_NEAR_RULE };
  const { train, validation } = qualitySplits();
  const all = [...train.images, ...validation.images].map((i) => i.path);
  const sampled = nearDuplicateSample(all, sizes.copies);
  const sampledSet = new Set(sampled);
  const distinct = nearDuplicateSample(all.filter((f) => !sampledSet.has(f)), sizes.distinct, 31);
  const distinctSet = new Set(distinct);
  const canonicalFiles = all.filter((f) => !distinctSet.has(f));
  const names = new Map(all.map((f) => [idOf(f), f.split('/').slice(-2).join('/')]));
  log(`state: ${canonicalFiles.length} canonical originals; queries: ${sampled.length} × ${NEAR_DUPLICATE_TRANSFORMS.length} copies + ${distinct.length} distinct images`);

  const model = await loadBaseModel();
  const head = await loadCommittedHead();
  try {
    const canon = await originalFeatures(model, canonicalFiles);
    const others = await originalFeatures(model, distinct);
    const copies = await transformedFeatures(model, sampled);
    const spaces: { name: string; version: string; vectors: (f: CachedFeatures) => Float32Array; dim: number }[] = [
      { name: `${model.dim}-d ${model.manifest.id}`, version: model.manifest.version, vectors: (f) => f.features, dim: model.dim },
    ];
    if (head !== undefined) spaces.push({ name: `${head.dim}-d ${head.manifest.id}`, version: head.manifest.version, vectors: (f) => projectAll(head, f), dim: head.dim });
    const summary: Record<string, unknown> = {};
    for (const space of spaces) {
      const state = new DedupeState();
      const canonVectors = space.vectors(canon);
      canonicalFiles.forEach((f, i) => state.put({ ...candidate(f, canon, canonVectors, i, space.dim, space.version), status: 'UNIQUE', duplicateOf: null, similarity: null }));
      const queries: Query[] = [];
      const index = new Map(canonicalFiles.map((f, i) => [f, i]));
      for (const [t, c] of copies) {
        const v = space.vectors(c);
        sampled.forEach((f, i) => queries.push({ candidate: candidate(`${f}#${t}`, c, v, i, space.dim, space.version), expected: idOf(f), transform: t }));
      }
      const otherVectors = space.vectors(others);
      distinct.forEach((f, i) => queries.push({ candidate: candidate(f, others, otherVectors, i, space.dim, space.version), expected: null, transform: 'distinct' }));
      if (![...sampled].every((f) => index.has(f))) throw new Error('every sampled original must be in the state');

      log(`\n== ${space.name} (model version ${space.version}) ==`);
      const atConfig = score(state, queries, configured);
      log(`configured thresholds ${describe(configured)}: ${line(atConfig)}`);
      log(`  recall by transform: ${Object.entries(atConfig.recallByTransform).map(([t, r]) => `${t} ${pct(r)}`).join(', ')}`);
      const sweep: { t: DedupeThresholds; s: Score }[] = [];
      for (const rule of NEAR_RULES) {
        for (const maxHammingDistance of rule === 'cosine' ? [0] : [2, 3, 4, 6]) {
          for (const minCosine of rule === 'phash' ? [1] : [0.8, 0.85, 0.88, 0.9, 0.92, 0.94, 0.96]) {
            const t = { rule, maxHammingDistance, minCosine };
            sweep.push({ t, s: score(state, queries, t) });
          }
        }
      }
      log(`sweep (recall = copy found with its own original; FP rate = distinct images called near-duplicates):`);
      log(`  ${'rule'.padEnd(17)} ${'maxHam'.padStart(6)} ${'minCos'.padStart(6)}   recall   FP rate  precision`);
      for (const { t, s } of sweep.filter(({ t }) => [0, 3, 4].includes(t.maxHammingDistance) || t.rule === 'phash')) {
        log(`  ${t.rule.padEnd(17)} ${String(t.maxHammingDistance).padStart(6)} ${t.rule === 'phash' ? '     -' : t.minCosine.toFixed(2).padStart(6)}   ${pct(s.recall).padStart(6)}   ${pct(s.falsePositiveRate).padStart(6)}   ${pct(s.precision).padStart(6)}`);
      }
      const best = choose(sweep);
      log(`best: ${describe(best.t)}: ${line(best.s)}${meets(best.s) ? '  (meets the goal)' : '  (goal NOT met)'}`);
      log(`  recall by transform: ${Object.entries(best.s.recallByTransform).map(([t, r]) => `${t} ${pct(r)}`).join(', ')}`);
      const fp = firstFalsePositives(state, queries, configured, 3).map((pair) => pair.replace(/[0-9a-f]{16}/g, (id) => names.get(id) ?? id));
      if (fp.length > 0) log(`  false positives at the configured thresholds (first ${fp.length}): ${fp.join('; ')}`);
      summary[space.dim === model.dim ? 'raw' : 'head'] = { version: space.version, configured: compact(atConfig), best: { ...best.t, ...compact(best.s), meets_goal: meets(best.s) } };
    }
    process.stdout.write(`${JSON.stringify({ bench: 'dedupe', quick, thresholds: configured, copies: sampled.length * NEAR_DUPLICATE_TRANSFORMS.length, distinct: distinct.length, canonicals: canonicalFiles.length, ...summary })}\n`);
  } finally {
    await model.release();
    await head?.release();
  }
}

function projectAll(head: ModelEmbedder, f: CachedFeatures): Float32Array {
  return head.project(Float32Array.from(f.features), f.features.length / f.dim);
}

function idOf(file: string): string {
  return createHash('sha256').update(file).digest('hex').slice(0, 16);
}

function candidate(file: string, f: CachedFeatures, vectors: Float32Array, i: number, dim: number, version: string): DedupeCandidate {
  return { imageId: idOf(file), contentSha256: createHash('sha256').update(`content:${file}`).digest('hex'), perceptualHash: f.perceptualHashes[i], modelVersion: version, vector: vectors.subarray(i * dim, (i + 1) * dim) };
}

function score(state: DedupeState, queries: readonly Query[], t: DedupeThresholds): Score {
  let tp = 0;
  let missed = 0;
  let wrong = 0;
  let fp = 0;
  let negatives = 0;
  const byTransform = new Map<string, [number, number]>();
  for (const q of queries) {
    const d = classify(state, q.candidate, t);
    const near = d.status === 'NEAR_DUPLICATE' || d.status === 'EXACT_DUPLICATE';
    if (q.expected === null) {
      negatives++;
      if (near) fp++;
      continue;
    }
    const counts = byTransform.get(q.transform) ?? [0, 0];
    counts[1]++;
    if (near && d.duplicateOf === q.expected) {
      tp++;
      counts[0]++;
    } else if (near) wrong++;
    else missed++;
    byTransform.set(q.transform, counts);
  }
  const positives = tp + missed + wrong;
  return {
    recall: positives === 0 ? 0 : tp / positives,
    falsePositiveRate: negatives === 0 ? 0 : fp / negatives,
    precision: tp + fp + wrong === 0 ? 1 : tp / (tp + fp + wrong),
    truePositives: tp,
    missed,
    wrongOriginal: wrong,
    falsePositives: fp,
    recallByTransform: Object.fromEntries([...byTransform].map(([k, [hit, n]]) => [k, hit / n])),
  };
}

function meets(s: Score): boolean {
  return s.recall >= GOAL.recall && s.falsePositiveRate <= GOAL.falsePositiveRate;
}

/** Goal met first; then highest recall within the FP budget; then fewest false positives; then the simpler rule. */
function choose(sweep: readonly { t: DedupeThresholds; s: Score }[]): { t: DedupeThresholds; s: Score } {
  const within = sweep.filter(({ s }) => s.falsePositiveRate <= GOAL.falsePositiveRate);
  const pool = within.length > 0 ? within : [...sweep];
  const simplicity: Record<NearRule, number> = { phash: 0, cosine: 1, 'phash-or-cosine': 2, 'phash-and-cosine': 3 };
  return pool.sort((a, b) => b.s.recall - a.s.recall || a.s.falsePositiveRate - b.s.falsePositiveRate || simplicity[a.t.rule] - simplicity[b.t.rule] || b.t.minCosine - a.t.minCosine)[0];
}

function firstFalsePositives(state: DedupeState, queries: readonly Query[], t: DedupeThresholds, limit: number): string[] {
  const out: string[] = [];
  for (const q of queries) {
    if (out.length >= limit) break;
    if (q.expected !== null) continue;
    const d = classify(state, q.candidate, t);
    if (d.status !== 'UNIQUE') out.push(`${q.candidate.imageId} ~ ${d.duplicateOf ?? '?'} (similarity ${d.similarity?.toFixed(4) ?? '?'})`);
  }
  return out;
}

function describe(t: DedupeThresholds): string {
  return `${t.rule}, pHash ≤ ${t.maxHammingDistance}, cosine ≥ ${t.minCosine}`;
}

function line(s: Score): string {
  return `recall ${pct(s.recall)} (${s.truePositives} found, ${s.missed} missed, ${s.wrongOriginal} wrong original), FP rate ${pct(s.falsePositiveRate)} (${s.falsePositives}), precision ${pct(s.precision)}`;
}

function compact(s: Score) {
  return { recall: round(s.recall), fp_rate: round(s.falsePositiveRate), precision: round(s.precision) };
}

function round(v: number): number {
  return Number(v.toFixed(4));
}

function pct(v: number): string {
  return `${(100 * v).toFixed(1)} %`;
}
