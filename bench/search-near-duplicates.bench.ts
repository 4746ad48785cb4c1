import type { NearDuplicateCandidate } from '@stylestream/catalog';
import { bandTerms, parseImageHashes, type NearDuplicateThresholds } from '@stylestream/near-duplicate';
import { hashCloseCandidates, promoteNearDuplicates, verifyNearDuplicates } from '../apps/search-api/src/domain/near-duplicate.promotion';
import type { SearchHit } from '../apps/search-api/src/domain/search-query';
import { cachedImageHashes, type ImageHashes } from './support/dedupe-crop-hashes';
import { NEAR_DUPLICATE_TRANSFORMS, transformImage } from './support/image-transforms';
import { BASE_MODEL_ID, loadBaseModel, log, nearDuplicateSample, originalFeatures, qualitySplits, transformedFeatures } from './support/quality-dataset';
import { resolve } from 'node:path';
import { readModelManifest } from '@stylestream/model';

const K = 10;
const MAX_CANDIDATES = 200;
const THRESHOLDS: NearDuplicateThresholds = { rule: 'tiered', maxFineDistance: 20, maxHammingDistance: 2, minCosineWithPhash: 0.5, minCosine: 1 };
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

/** Unit rows of an n × dim matrix (features are compared by cosine, like the index's inner product on unit vectors). */
function normalised(rows: Float32Array, dim: number): Float32Array {
  const out = new Float32Array(rows.length);
  for (let r = 0; r < rows.length / dim; r++) {
    let n = 0;
    for (let j = 0; j < dim; j++) n += rows[r * dim + j] ** 2;
    const s = n === 0 ? 0 : 1 / Math.sqrt(n);
    for (let j = 0; j < dim; j++) out[r * dim + j] = rows[r * dim + j] * s;
  }
  return out;
}

/** In-memory stand-in of the catalogue's band lookup: the same terms and the same `should` clauses as ElasticsearchNearDuplicateSource. */
class BandIndex {
  private readonly bands = new Map<string, number[]>();
  private readonly cropBands = new Map<string, number[]>();

  constructor(hashes: readonly ImageHashes[]) {
    hashes.forEach((h, i) => {
      const p = parseImageHashes(h);
      for (const t of bandTerms(p.hash)) push(this.bands, t, i);
      for (const t of new Set(p.crops.flatMap(bandTerms))) push(this.cropBands, t, i);
    });
  }

  candidates(query: ImageHashes, limit: number): number[] {
    const p = parseImageHashes(query);
    const full = bandTerms(p.hash);
    const found = new Set<number>();
    for (const t of [...full, ...p.crops.flatMap(bandTerms)]) for (const i of this.bands.get(t) ?? []) found.add(i);
    for (const t of full) for (const i of this.cropBands.get(t) ?? []) found.add(i);
    return [...found].sort((a, b) => a - b).slice(0, limit);
  }
}

function push(map: Map<string, number[]>, key: string, value: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/**
 * `npm run bench -- search-near-duplicates [--quick]`: the search API's near-duplicate
 * promotion (apps/search-api near-duplicate.promotion: the same verification and merge
 * code) over the whole train split of clothing-small, in process: exact inner-product
 * ranking over the backbone features of every train image (what the index answers,
 * identical to the API's in the chain run of search-quality), band candidates from an
 * in-memory index with the catalogue query's terms (cap 200), hashes as the extractor
 * computes them. Queries: the search-quality sample (500 train originals × 4
 * transforms; --quick 100) and every validation image (not in the index: any
 * promotion is false). In-run baseline: the vector-only rank. Last line one JSON object.
 */
export async function run(args: string[]): Promise<void> {
  if (args.includes('--hashes-only')) return hashesOnly();
  const quick = args.includes('--quick');
  const { train, validation } = qualitySplits();
  const trainFiles = train.images.map((i) => i.path);
  const validationFiles = (quick ? validation.images.filter((_, i) => i % 7 === 0) : validation.images).map((i) => i.path);
  const originals = nearDuplicateSample(trainFiles, quick ? 100 : 500);
  const index = new Map(trainFiles.map((f, i) => [f, i]));
  const model = await loadBaseModel();
  try {
    const input = model.manifest.input;
    const dim = model.dim;
    const trainVectors = normalised((await originalFeatures(model, trainFiles)).features, dim);
    const trainHashes = await cachedImageHashes(input, trainFiles, { name: 'original' }, log);
    const validationVectors = normalised((await originalFeatures(model, validationFiles)).features, dim);
    const validationHashes = await cachedImageHashes(input, validationFiles, { name: 'original' }, log);
    const copies = await transformedFeatures(model, originals);
    const bands = new BandIndex(trainHashes);
    const ids = trainFiles.map((_, i) => `t${i}`);
    const candidateOf = (i: number): NearDuplicateCandidate => ({ imageId: ids[i], hashes: trainHashes[i], facts: { imageId: ids[i], uri: null, source: null, bloggerId: null, publishedAt: null, labels: {}, dedupeStatus: 'UNIQUE', duplicateOf: null } });

    /** Vector-only top K and the promoted page for one query. */
    const answer = (vectors: Float32Array, row: number, hashes: ImageHashes): { vector: SearchHit[]; page: SearchHit[]; candidates: number } => {
      const scores = new Float64Array(trainFiles.length);
      for (let t = 0; t < trainFiles.length; t++) {
        let dot = 0;
        for (let j = 0; j < dim; j++) dot += vectors[row * dim + j] * trainVectors[t * dim + j];
        scores[t] = dot;
      }
      const order = Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a] || a - b);
      const vector = order.slice(0, K).map((t) => ({ id: ids[t], score: scores[t] }));
      const found = bands.candidates(hashes, MAX_CANDIDATES);
      const close = hashCloseCandidates(hashes, found.map(candidateOf), THRESHOLDS, []);
      const cosines = new Map(close.map((c) => [c.candidate.imageId, scores[Number(c.candidate.imageId.slice(1))]]));
      const page = promoteNearDuplicates(vector, verifyNearDuplicates(close, cosines, THRESHOLDS), K).hits;
      return { vector, page, candidates: found.length };
    };

    log('');
    log('| transform | copies | rank 1 with promotion | rank 1 vector only | in top 10 with promotion | original promoted | false promotions (hits / copies) |');
    log('| --- | --- | --- | --- | --- | --- | --- |');
    const byTransform: Record<string, { n: number; rank1: number; vector1: number; top10: number; promoted: number; falseHits: number; falseCopies: number }> = {};
    const all = { n: 0, rank1: 0, vector1: 0, top10: 0, promoted: 0, falseHits: 0, falseCopies: 0 };
    let candidatesTotal = 0;
    let capped = 0;
    for (const t of NEAR_DUPLICATE_TRANSFORMS) {
      const features = copies.get(t);
      if (features === undefined) continue;
      const vectors = normalised(features.features, dim);
      const hashes = await cachedImageHashes(input, originals, { name: t, transform: (b) => transformImage(b, t) }, log);
      const row = { n: 0, rank1: 0, vector1: 0, top10: 0, promoted: 0, falseHits: 0, falseCopies: 0 };
      originals.forEach((file, q) => {
        const expected = ids[index.get(file) ?? -1];
        const { vector, page, candidates } = answer(vectors, q, hashes[q]);
        candidatesTotal += candidates;
        if (candidates >= MAX_CANDIDATES) capped += 1;
        row.n += 1;
        if (page[0]?.id === expected) row.rank1 += 1;
        if (vector[0]?.id === expected) row.vector1 += 1;
        if (page.some((h) => h.id === expected)) row.top10 += 1;
        const promoted = page.filter((h) => h.nearDuplicate !== undefined);
        if (promoted.some((h) => h.id === expected)) row.promoted += 1;
        const wrong = promoted.filter((h) => h.id !== expected).length;
        row.falseHits += wrong;
        if (wrong > 0) row.falseCopies += 1;
      });
      byTransform[t] = row;
      for (const key of Object.keys(all) as (keyof typeof all)[]) all[key] += row[key];
      log(`| ${t} | ${row.n} | ${pct(row.rank1 / row.n)} | ${pct(row.vector1 / row.n)} | ${pct(row.top10 / row.n)} | ${pct(row.promoted / row.n)} | ${row.falseHits} / ${row.falseCopies} |`);
    }
    log(`| **all** | ${all.n} | **${pct(all.rank1 / all.n)}** | ${pct(all.vector1 / all.n)} | ${pct(all.top10 / all.n)} | ${pct(all.promoted / all.n)} | ${all.falseHits} / ${all.falseCopies} |`);
    let validationPromoted = 0;
    let validationQueries = 0;
    validationFiles.forEach((_, q) => {
      const { page, candidates } = answer(validationVectors, q, validationHashes[q]);
      candidatesTotal += candidates;
      const promoted = page.filter((h) => h.nearDuplicate !== undefined).length;
      validationPromoted += promoted;
      if (promoted > 0) validationQueries += 1;
    });
    const queries = all.n + validationFiles.length;
    log(`validation images (not indexed: every promotion is false): ${validationPromoted} promoted hits on ${validationQueries} of ${validationFiles.length} queries`);
    log(`band candidates per query: mean ${(candidatesTotal / queries).toFixed(1)}; ${capped} copies hit the cap of ${MAX_CANDIDATES}`);
    process.stdout.write(`${JSON.stringify({
      bench: 'search-near-duplicates',
      quick,
      indexed: trainFiles.length,
      copies: all.n,
      rank1_rate: Number((all.rank1 / all.n).toFixed(4)),
      rank1_rate_vector_only: Number((all.vector1 / all.n).toFixed(4)),
      top10_rate: Number((all.top10 / all.n).toFixed(4)),
      original_promoted_rate: Number((all.promoted / all.n).toFixed(4)),
      false_promotions: all.falseHits,
      copies_with_false_promotion: all.falseCopies,
      validation_queries: validationFiles.length,
      validation_false_promotions: validationPromoted,
      validation_queries_with_promotion: validationQueries,
      rank1_by_transform: Object.fromEntries(Object.entries(byTransform).map(([t, r]) => [t, Number((r.rank1 / r.n).toFixed(4))])),
      rank1_vector_only_by_transform: Object.fromEntries(Object.entries(byTransform).map(([t, r]) => [t, Number((r.vector1 / r.n).toFixed(4))])),
      false_promotions_by_transform: Object.fromEntries(Object.entries(byTransform).map(([t, r]) => [t, r.falseHits])),
      mean_band_candidates: Number((candidatesTotal / queries).toFixed(1)),
    })}\n`);
  } finally {
    await model.release();
  }
}

/**
 * `--hashes-only`: no model (vectors are not needed to see what the hash half of the
 * rule admits). The dedupe bench's split (its hashes are cached): the index is every
 * image of train + validation except 1,000 held-out distinct images; queries are 500
 * sampled images × 4 transforms (expected: their original) and the distinct images
 * (expected: nothing). Per copy: is the original hash-close, is it the closest
 * hash-close candidate (what promotion puts at rank 1 once its cosine passes the
 * 0.5 floor), and how many other images are hash-close (an upper bound of false
 * promotions: the cosine floor can only remove some).
 */
async function hashesOnly(): Promise<void> {
  const { train, validation } = qualitySplits();
  const all = [...train.images, ...validation.images].map((i) => i.path);
  const sampled = nearDuplicateSample(all, 500);
  const sampledSet = new Set(sampled);
  const distinct = nearDuplicateSample(all.filter((f) => !sampledSet.has(f)), 1000, 31);
  const distinctSet = new Set(distinct);
  const indexed = all.filter((f) => !distinctSet.has(f));
  const input = readModelManifest(resolve('models'), BASE_MODEL_ID).input;
  const indexedHashes = await cachedImageHashes(input, indexed, { name: 'original' }, log);
  const distinctHashes = await cachedImageHashes(input, distinct, { name: 'original' }, log);
  const bands = new BandIndex(indexedHashes);
  const position = new Map(indexed.map((f, i) => [f, i]));
  const candidateOf = (i: number): NearDuplicateCandidate => ({ imageId: String(i), hashes: indexedHashes[i], facts: { imageId: String(i), uri: null, source: null, bloggerId: null, publishedAt: null, labels: {}, dedupeStatus: 'UNIQUE', duplicateOf: null } });
  const closeTo = (hashes: ImageHashes) => hashCloseCandidates(hashes, bands.candidates(hashes, MAX_CANDIDATES).map(candidateOf), THRESHOLDS, []).sort((a, b) => (a.evidence.fine ?? 0) - (b.evidence.fine ?? 0));
  log(`index: ${indexed.length} images; queries: ${sampled.length} × ${NEAR_DUPLICATE_TRANSFORMS.length} copies + ${distinct.length} distinct`);
  log('| transform | copies | original hash-close | original the closest hash-close image | copies with another image hash-close | other hash-close images |');
  log('| --- | --- | --- | --- | --- | --- |');
  const result: Record<string, unknown> = {};
  const total = { n: 0, close: 0, closest: 0, otherCopies: 0, others: 0 };
  for (const t of NEAR_DUPLICATE_TRANSFORMS) {
    const hashes = await cachedImageHashes(input, sampled, { name: t, transform: (b) => transformImage(b, t) }, log);
    const row = { n: 0, close: 0, closest: 0, otherCopies: 0, others: 0 };
    sampled.forEach((file, q) => {
      const expected = String(position.get(file) ?? -1);
      const close = closeTo(hashes[q]);
      row.n += 1;
      if (close.some((c) => c.candidate.imageId === expected)) row.close += 1;
      if (close[0]?.candidate.imageId === expected) row.closest += 1;
      const others = close.filter((c) => c.candidate.imageId !== expected).length;
      row.others += others;
      if (others > 0) row.otherCopies += 1;
    });
    log(`| ${t} | ${row.n} | ${pct(row.close / row.n)} | ${pct(row.closest / row.n)} | ${row.otherCopies} | ${row.others} |`);
    for (const key of Object.keys(total) as (keyof typeof total)[]) total[key] += row[key];
    result[t] = { original_close: Number((row.close / row.n).toFixed(4)), original_closest: Number((row.closest / row.n).toFixed(4)), copies_with_other_close: row.otherCopies, other_close: row.others };
  }
  log(`| **all** | ${total.n} | ${pct(total.close / total.n)} | ${pct(total.closest / total.n)} | ${total.otherCopies} | ${total.others} |`);
  const distinctClose = distinctHashes.map((h) => closeTo(h).length);
  const distinctWith = distinctClose.filter((n) => n > 0).length;
  log(`distinct images (no original indexed): ${distinctWith} of ${distinct.length} have a hash-close image (${distinctClose.reduce((a, b) => a + b, 0)} images in all); each is a false promotion unless its cosine is below 0.5`);
  process.stdout.write(`${JSON.stringify({ bench: 'search-near-duplicates', mode: 'hashes-only', indexed: indexed.length, copies: total.n, original_close: Number((total.close / total.n).toFixed(4)), original_closest: Number((total.closest / total.n).toFixed(4)), copies_with_other_close: total.otherCopies, distinct: distinct.length, distinct_with_close: distinctWith, by_transform: result })}\n`);
}
