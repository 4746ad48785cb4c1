import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type LabelledImage, SharpImageDecoder, listLabelledImages, loadModel } from '@stylestream/model';
import { stack, waitFor } from '@stylestream/test-support';
import { ModelQueryEmbedder } from '../apps/search-api/src/adapters/model-query.embedder';
import { NEAR_DUPLICATE_TRANSFORMS, type NearDuplicateTransform, transformImage } from './support/image-transforms';
import { QUALITY_DATA_DIR, nearDuplicateSample } from './support/quality-dataset';
import { AppProcess } from './support/search-cluster';
import { type CleanedImage, QualityChain, canonicalOf, esClient, followCleaned } from './support/search-quality.chain';

const KEY = 'bench-search-quality-key';
const K = 10;
const say = (line: string) => process.stderr.write(`${line}\n`);
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const mimeOf = (file: string) => (extname(file).toLowerCase() === '.png' ? 'image/png' : extname(file).toLowerCase() === '.webp' ? 'image/webp' : 'image/jpeg');

interface ApiHit {
  id: string;
  score: number;
  labels?: Record<string, string[] | undefined>;
  /** Put first by the near-duplicate lookup (docs/DESIGN.md §18, "Search: near-duplicate lookup before semantic ranking"). */
  nearDuplicate?: { hashDistance: number; hashBits: number };
}

/** The first `perClass` images of every class of `set`, copied under `<dir>/<class>/` (quick mode ingests a small folder the same way). */
function subsetFolder(images: readonly LabelledImage[], perClass: number): { dir: string; images: LabelledImage[] } {
  const dir = mkdtempSync(join(tmpdir(), 'bench-sq-train-'));
  const taken = new Map<string, number>();
  const kept: LabelledImage[] = [];
  for (const image of images) {
    const n = taken.get(image.label) ?? 0;
    if (n >= perClass) continue;
    taken.set(image.label, n + 1);
    mkdirSync(join(dir, image.label), { recursive: true });
    const copy = join(dir, image.label, basename(image.path));
    copyFileSync(image.path, copy);
    kept.push({ ...image, path: copy });
  }
  return { dir, images: kept };
}

/** Top-k ids by inner product over the indexed (UNIQUE) vectors: the exact answer the index approximates. */
function exactTopK(indexed: readonly CleanedImage[], query: readonly number[], k: number): string[] {
  const scored = indexed.map((c) => {
    let dot = 0;
    for (let i = 0; i < c.vector.length; i++) dot += (c.vector[i] ?? 0) * (query[i] ?? 0);
    return { id: c.imageId, dot };
  });
  scored.sort((a, b) => b.dot - a.dot || (a.id < b.id ? -1 : 1));
  return scored.slice(0, k).map((s) => s.id);
}

/**
 * `npm run bench -- search-quality [--quick] [--model <id>]`: search quality on
 * real photos through the whole chain. The train split of clothing-small
 * (QUALITY_DATA_DIR) is ingested with the ingest CLI into unique topics and
 * goes through extractor → dedupe → index-writer (and the catalogue sink)
 * as child processes; once every image is cleaned and every unique one
 * indexed, each validation image is sent to the real search API
 * (`POST /v1/search/image`, multipart) and precision@10 is counted by class
 * (a hit is relevant when its category equals the query's); then transformed
 * copies of sampled train images are sent and the rank of their original
 * (its canonical when dedupe folded it into another image) is reported per
 * transform. In-run baseline: the same queries embedded in this process and
 * answered by brute force over the indexed vectors (what HNSW + HTTP must
 * not lose, and the vector-only rank the near-duplicate lookup improves on).
 * Hits the API flags `nearDuplicate` are counted: a promoted hit that is not
 * the copy's original is a false promotion, and so is any promotion on a
 * validation query (its photo is not in the index). Last line one JSON object.
 */
export async function run(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const modelArg = args.indexOf('--model');
  const modelId = modelArg >= 0 ? (args[modelArg + 1] ?? '') : (process.env.MODEL_ID ?? 'mobilenet-v2-nsfwjs');
  const modelsDir = resolve(process.env.MODEL_DIR ?? 'models');
  if (!existsSync(join(QUALITY_DATA_DIR, 'train'))) {
    say(`search-quality: ${QUALITY_DATA_DIR}/train is missing (set QUALITY_DATA_DIR); skipped`);
    process.stdout.write(`${JSON.stringify({ bench: 'search-quality', skipped: `no data at ${QUALITY_DATA_DIR}` })}\n`);
    return;
  }
  const distRoot = resolve(__dirname, '..');
  const train = listLabelledImages(join(QUALITY_DATA_DIR, 'train'));
  const validation = listLabelledImages(join(QUALITY_DATA_DIR, 'validation'));
  const subset = quick ? subsetFolder(train.images, 30) : undefined;
  const trainImages = subset?.images ?? [...train.images];
  const trainDir = subset?.dir ?? join(QUALITY_DATA_DIR, 'train');
  const queries = quick ? validation.images.filter((_, i) => i % 7 === 0) : [...validation.images];
  const originals = nearDuplicateSample(trainImages.map((i) => i.path), quick ? 25 : 500);

  const model = await loadModel({ modelsDir, modelId, executionProviders: ['cpu'], intraOpThreads: 1, interOpThreads: 1 });
  const embedder = new ModelQueryEmbedder(model, new SharpImageDecoder(40_000_000));
  const modelInfo = { id: modelId, dir: modelsDir, version: embedder.modelVersion, dim: embedder.dim };
  say(`search-quality: model ${modelId} ${modelInfo.version} (${modelInfo.dim}-d); ${trainImages.length} train images from ${trainDir}, ${queries.length} validation queries, ${originals.length} originals × ${NEAR_DUPLICATE_TRANSFORMS.length} transforms`);

  const es = esClient();
  const cleaned = new Map<string, CleanedImage>();
  let chain: QualityChain | undefined;
  let reader: Awaited<ReturnType<typeof followCleaned>> | undefined;
  let api: AppProcess | undefined;
  try {
    let t = performance.now();
    chain = await QualityChain.start(modelInfo, 3);
    say(`chain started (extractor, dedupe, index-writer ${chain.writerUrl}, catalogue ${chain.naming.catalogAlias}) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    reader = await followCleaned(chain.naming.vectorCleaned, cleaned);
    api = new AppProcess('search-api', {
      SEARCH_HTTP_PORT: '0',
      SEARCH_API_KEYS: KEY,
      SEARCH_SHARD_OWNERS: chain.writerUrl,
      // Quality, not speed, is measured here: a deadline no loaded machine misses.
      SEARCH_SHARD_DEADLINE_MS: '5000',
      SEARCH_DIM: String(modelInfo.dim),
      MODEL_DIR: modelsDir,
      MODEL_ID: modelId,
      ELASTICSEARCH_URL: stack.elasticsearchUrl,
      CATALOG_ALIAS: chain.naming.catalogAlias,
      SEARCH_RATE_LIMIT_PER_SEC: '100000',
      SEARCH_RATE_LIMIT_BURST: '100000',
      LOG_LEVEL: 'info',
    }, 'search-api listening');
    const apiStarted = api.start(180_000);

    t = performance.now();
    const ingested = await chain.ingest(distRoot, trainDir);
    say(`ingested ${ingested.sent} images (${ingested.rejected} rejected) into ${chain.naming.imageArrived} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    let lastReport = performance.now();
    const activeChain = chain;
    await waitFor(async () => {
      const failure = reader?.failure();
      if (failure !== undefined) throw new Error('reading vector-cleaned failed', { cause: failure });
      const dead = await activeChain.deadLetters();
      if (performance.now() - lastReport > 10_000) {
        lastReport = performance.now();
        say(`  cleaned ${cleaned.size}/${ingested.sent} (${dead} dead letters), ${(cleaned.size / ((performance.now() - t) / 1000)).toFixed(1)} images/s`);
      }
      return cleaned.size + dead >= ingested.sent;
    }, { timeoutMs: 3_600_000, intervalMs: 1_000, what: 'every train image through extractor and dedupe' });
    const chainSeconds = (performance.now() - t) / 1000;
    const indexed = [...cleaned.values()].filter((c) => c.status === 'UNIQUE');
    await waitFor(async () => (await activeChain.indexedCount()) >= indexed.length, { timeoutMs: 300_000, intervalMs: 500, what: `${indexed.length} vectors served by the index-writer` });
    const indexedSeconds = (performance.now() - t) / 1000;
    const dead = await chain.deadLetters();
    const statusCounts = [...cleaned.values()].reduce<Record<string, number>>((acc, c) => ({ ...acc, [c.status]: (acc[c.status] ?? 0) + 1 }), {});
    say(`chain: ${cleaned.size} vector-cleaned (${Object.entries(statusCounts).map(([s, n]) => `${s} ${n}`).join(', ')}), ${dead} dead letters; all cleaned in ${chainSeconds.toFixed(1)} s (${(cleaned.size / chainSeconds).toFixed(1)} images/s from the first publish), ${indexed.length} indexed after ${indexedSeconds.toFixed(1)} s`);
    await waitFor(async () => (await activeChain.catalogued(es)) >= ingested.sent, { timeoutMs: 120_000, intervalMs: 500, what: 'the catalogue holding every image' }).catch((err: unknown) => say(`catalogue not caught up (hits may come without facts): ${String(err)}`));
    await apiStarted;
    say(`search API ${api.url} (model loaded)`);

    let nearUnavailable = 0;
    const byPath = new Map([...cleaned.values()].map((c) => [c.path, c]));
    const classOf = (id: string) => cleaned.get(id)?.category;
    const search = async (bytes: Buffer, file: string): Promise<{ hits: ApiHit[]; ms: number; near?: { status: string; candidates: number; promoted: number; reason?: string } }> => {
      const form = new FormData();
      form.set('image', new Blob([bytes], { type: mimeOf(file) }), basename(file));
      form.set('k', String(K));
      const t0 = performance.now();
      const res = await fetch(`${api?.url ?? ''}/v1/search/image`, { method: 'POST', headers: { 'x-api-key': KEY }, body: form });
      const body = (await res.json()) as { hits?: ApiHit[]; partial?: boolean; reason?: string; nearDuplicates?: { status: string; candidates: number; promoted: number; reason?: string } };
      if (res.status !== 200 || body.hits === undefined) throw new Error(`POST /v1/search/image answered ${res.status}: ${body.reason ?? JSON.stringify(body).slice(0, 300)}`);
      if (body.partial === true) throw new Error('an answer was partial: the single owner missed its deadline');
      if (body.nearDuplicates?.status === 'unavailable') nearUnavailable += 1;
      return { hits: body.hits, ms: performance.now() - t0, ...(body.nearDuplicates === undefined ? {} : { near: body.nearDuplicates }) };
    };

    // 1. precision@10 of the validation images, by class
    const perClass = new Map<string, { n: number; api: number; exact: number; nn1: number; agree: number }>();
    let factsMismatch = 0;
    let withFacts = 0;
    const latencies: number[] = [];
    let validationPromoted = 0;
    let validationQueriesPromoted = 0;
    for (const q of queries) {
      const bytes = readFileSync(q.path);
      const { hits, ms } = await search(bytes, q.path);
      const promotedHere = hits.filter((h) => h.nearDuplicate !== undefined).length;
      validationPromoted += promotedHere;
      if (promotedHere > 0) validationQueriesPromoted += 1;
      latencies.push(ms);
      const exact = exactTopK(indexed, (await embedder.embed(bytes)).vector, K);
      const row = perClass.get(q.label) ?? { n: 0, api: 0, exact: 0, nn1: 0, agree: 0 };
      row.n += 1;
      row.api += hits.filter((h) => classOf(h.id) === q.label).length / K;
      row.exact += exact.filter((id) => classOf(id) === q.label).length / K;
      row.nn1 += classOf(hits[0]?.id ?? '') === q.label ? 1 : 0;
      row.agree += hits.filter((h) => exact.includes(h.id)).length / K;
      perClass.set(q.label, row);
      for (const h of hits) {
        const fact = h.labels?.category?.[0];
        if (fact === undefined) continue;
        withFacts += 1;
        if (fact !== classOf(h.id)) factsMismatch += 1;
      }
    }
    const total = [...perClass.values()].reduce((a, r) => ({ n: a.n + r.n, api: a.api + r.api, exact: a.exact + r.exact, nn1: a.nn1 + r.nn1, agree: a.agree + r.agree }), { n: 0, api: 0, exact: 0, nn1: 0, agree: 0 });
    say('');
    say('| class | queries | precision@10 (API) | precision@10 (exact, in-process) | 1-NN correct (API) |');
    say('| --- | --- | --- | --- | --- |');
    for (const [label, r] of [...perClass.entries()].sort(([a], [b]) => a.localeCompare(b))) say(`| ${label} | ${r.n} | ${pct(r.api / r.n)} | ${pct(r.exact / r.n)} | ${pct(r.nn1 / r.n)} |`);
    say(`| **all** | ${total.n} | **${pct(total.api / total.n)}** | ${pct(total.exact / total.n)} | ${pct(total.nn1 / total.n)} |`);
    say(`API top-10 ∩ exact top-10: ${pct(total.agree / total.n)}; hits with catalogue facts ${withFacts} (category differing from vector-cleaned: ${factsMismatch})`);
    say(`near-duplicate promotions on validation queries (photos not in the index, so every one is false): ${validationPromoted} hits on ${validationQueriesPromoted} of ${total.n} queries`);

    // 2. transformed copies: the rank of the original (its canonical when dedupe folded it)
    const ranks = new Map<NearDuplicateTransform, { n: number; rank1: number; top10: number; exact1: number; ownN: number; own1: number; promotedRight: number; falsePromotions: number; copiesFalse: number; misses: string[] }>();
    const falseExamples: string[] = [];
    const foldedInto = new Map<string, string>();
    let skipped = 0;
    for (const file of originals) {
      const original = byPath.get(resolve(file));
      if (original === undefined) {
        skipped += 1; // dead-lettered
        continue;
      }
      const expected = canonicalOf(original.imageId, cleaned);
      if (expected !== original.imageId) foldedInto.set(basename(file), cleaned.get(expected)?.path ?? expected);
      const bytes = readFileSync(file);
      for (const transform of NEAR_DUPLICATE_TRANSFORMS) {
        const copy = await transformImage(bytes, transform);
        const { hits, ms } = await search(copy, 'copy.jpg');
        latencies.push(ms);
        const rank = hits.findIndex((h) => h.id === expected) + 1;
        const exact = exactTopK(indexed, (await embedder.embed(copy)).vector, 1);
        const row = ranks.get(transform) ?? { n: 0, rank1: 0, top10: 0, exact1: 0, ownN: 0, own1: 0, promotedRight: 0, falsePromotions: 0, copiesFalse: 0, misses: [] };
        row.n += 1;
        const promoted = hits.filter((h) => h.nearDuplicate !== undefined);
        if (promoted.some((h) => h.id === expected)) row.promotedRight += 1;
        const wrong = promoted.filter((h) => h.id !== expected);
        row.falsePromotions += wrong.length;
        if (wrong.length > 0) {
          row.copiesFalse += 1;
          if (falseExamples.length < 10) falseExamples.push(`${transform} of ${basename(file)} → ${wrong.map((h) => `${basename(cleaned.get(h.id)?.path ?? h.id)} (d=${h.nearDuplicate?.hashDistance}/${h.nearDuplicate?.hashBits}, cos ${h.score.toFixed(3)})`).join(', ')}`);
        }
        if (rank === 1) row.rank1 += 1;
        if (expected === original.imageId) {
          row.ownN += 1;
          if (rank === 1) row.own1 += 1;
        }
        if (rank >= 1) row.top10 += 1;
        else row.misses.push(basename(file));
        if (exact[0] === expected) row.exact1 += 1;
        ranks.set(transform, row);
      }
    }
    const folded = foldedInto.size;
    say('');
    say(`| transform | copies | original (or its canonical) at rank 1 (API) | in top 10 | rank 1, vector only (exact search) | original promoted | false promotions (hits / copies) | rank 1, originals indexed themselves |`);
    say('| --- | --- | --- | --- | --- | --- | --- | --- |');
    let all = { n: 0, rank1: 0, top10: 0, exact1: 0, ownN: 0, own1: 0, promotedRight: 0, falsePromotions: 0, copiesFalse: 0 };
    for (const [transform, r] of ranks) {
      say(`| ${transform} | ${r.n} | ${pct(r.rank1 / r.n)} | ${pct(r.top10 / r.n)} | ${pct(r.exact1 / r.n)} | ${pct(r.promotedRight / r.n)} | ${r.falsePromotions} / ${r.copiesFalse} | ${pct(r.own1 / r.ownN)} of ${r.ownN} |`);
      all = { n: all.n + r.n, rank1: all.rank1 + r.rank1, top10: all.top10 + r.top10, exact1: all.exact1 + r.exact1, ownN: all.ownN + r.ownN, own1: all.own1 + r.own1, promotedRight: all.promotedRight + r.promotedRight, falsePromotions: all.falsePromotions + r.falsePromotions, copiesFalse: all.copiesFalse + r.copiesFalse };
    }
    say(`| **all** | ${all.n} | **${pct(all.rank1 / all.n)}** | ${pct(all.top10 / all.n)} | ${pct(all.exact1 / all.n)} | ${pct(all.promotedRight / all.n)} | ${all.falsePromotions} / ${all.copiesFalse} | ${pct(all.own1 / all.ownN)} of ${all.ownN} |`);
    say(`near-duplicate lookup unavailable on ${nearUnavailable} queries`);
    for (const example of falseExamples) say(`  false promotion: ${example}`);
    say(`${folded} of ${originals.length} sampled originals were folded by dedupe into another image (that canonical counts as the original); ${skipped} dead-lettered and skipped`);
    for (const [file, canonical] of foldedInto) say(`  folded: ${file} → ${canonical}`);
    for (const [transform, r] of ranks) if (r.misses.length > 0) say(`  ${transform}: original not in the top 10 for ${r.misses.slice(0, 8).join(', ')}${r.misses.length > 8 ? ', …' : ''}`);
    latencies.sort((a, b) => a - b);
    say(`image search latency through HTTP (upload, embed, search, facts; machine load ${(await import('node:os')).loadavg()[0]?.toFixed(1)}): p50 ${latencies[Math.floor(latencies.length / 2)]?.toFixed(0)} ms`);

    const result = {
      bench: 'search-quality',
      quick,
      model: modelId,
      model_version: modelInfo.version,
      dim: modelInfo.dim,
      train_images: ingested.sent,
      indexed: indexed.length,
      dedupe: statusCounts,
      dead_letters: dead,
      chain_images_per_s: Number((cleaned.size / chainSeconds).toFixed(1)),
      validation_queries: total.n,
      precision_at_10: Number((total.api / total.n).toFixed(4)),
      precision_at_10_exact: Number((total.exact / total.n).toFixed(4)),
      nn1_accuracy: Number((total.nn1 / total.n).toFixed(4)),
      api_exact_overlap: Number((total.agree / total.n).toFixed(4)),
      precision_by_class: Object.fromEntries([...perClass.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([l, r]) => [l, Number((r.api / r.n).toFixed(4))])),
      copies: all.n,
      rank1_rate: Number((all.rank1 / all.n).toFixed(4)),
      rank1_rate_exact: Number((all.exact1 / all.n).toFixed(4)),
      rank1_rate_unfolded: Number((all.own1 / all.ownN).toFixed(4)),
      folded_originals: folded,
      rank1_rate_vector_only: Number((all.exact1 / all.n).toFixed(4)),
      original_promoted_rate: Number((all.promotedRight / all.n).toFixed(4)),
      false_promotions: all.falsePromotions,
      copies_with_false_promotion: all.copiesFalse,
      validation_false_promotions: validationPromoted,
      validation_queries_with_promotion: validationQueriesPromoted,
      near_lookup_unavailable: nearUnavailable,
      rank1_vector_only_by_transform: Object.fromEntries([...ranks.entries()].map(([tr, r]) => [tr, Number((r.exact1 / r.n).toFixed(4))])),
      false_promotions_by_transform: Object.fromEntries([...ranks.entries()].map(([tr, r]) => [tr, r.falsePromotions])),
      rank1_by_transform: Object.fromEntries([...ranks.entries()].map(([tr, r]) => [tr, Number((r.rank1 / r.n).toFixed(4))])),
      top10_by_transform: Object.fromEntries([...ranks.entries()].map(([tr, r]) => [tr, Number((r.top10 / r.n).toFixed(4))])),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await api?.stop().catch(() => undefined);
    await reader?.stop().catch(() => undefined);
    await chain?.stop(es);
    await es.close();
    await embedder.close();
    if (subset !== undefined) rmSync(subset.dir, { recursive: true, force: true });
  }
}
