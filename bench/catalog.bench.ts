import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { CatalogImageSearch, CatalogIndexLifecycle, createElasticsearchClient, parseImageSearch } from '@stylestream/catalog';
import { AvroProducer, TopicProvisioner, consumerLag, createKafkaClient, loadKafkaConfig } from '@stylestream/kafka';
import { LABEL_DIMENSIONS, SchemaRegistryGateway, imageArrivedContract } from '@stylestream/schemas';
import { stack, uniqueName, waitFor } from '@stylestream/test-support';
import { createCatalogSink } from '../apps/catalog/src/sink/catalog-sink';
import { measureCandidates, quantile } from './support/catalog-candidates.measure';
import { CatalogCorpus } from './support/catalog-corpus';

/**
 * `npm run bench -- catalog [--quick] [--docs N]` against the local stack (N overrides the corpus size):
 * 1. bare bulk: generated documents straight into a throwaway index with the
 *    real template/mapping: the first 20,000 timed as the ceiling of 2, the
 *    rest loaded faster as the corpus of 3 and 4;
 * 2. through Kafka: image-arrived events consumed by the catalogue sink until lag 0;
 * 3. facet query p95: label-filtered searches with terms aggregations on all nine
 *    dimensions over the bare-bulk index (1M documents; 100k with --quick);
 * 4. candidate fetch for vector-search filters at 0.1%, 1%, 10% selectivity,
 *    facts by id, and a page past the 10,000 window by cursor.
 * Last line: {"bench":"catalog","index_dps":..,"facet_p95_ms":..,...}.
 */
/** Documents of the bare-bulk baseline (the Kafka rate's ceiling), the same in both modes. */
const BASELINE_DOCS = 20_000;

export async function run(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const sizes = quick ? { kafka: 2_000, facetDocs: 100_000, queries: 100, reps: 5 } : { kafka: 20_000, facetDocs: 1_000_000, queries: 500, reps: 10 };
  const docsArg = args.indexOf('--docs');
  if (docsArg >= 0) sizes.facetDocs = Number(args[docsArg + 1]);
  if (!Number.isInteger(sizes.facetDocs) || sizes.facetDocs < 20_000) throw new Error('--docs must be an integer of at least 20000');
  process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const logger = pino({ level: 'warn' });
  const es = createElasticsearchClient({ node: stack.elasticsearchUrl, requestTimeoutMs: 120_000 });
  const alias = uniqueName('bench-catalog');
  const lifecycle = new CatalogIndexLifecycle(es, { alias, shardsIndex: `${alias}-shards`, refreshInterval: '1s' });
  await lifecycle.ensure();
  const corpus = new CatalogCorpus();
  const heapMb = async () => {
    const stats = await es.nodes.stats({ metric: 'jvm' });
    const node = Object.values(stats.nodes)[0];
    return { used: Math.round((node?.jvm?.mem?.heap_used_in_bytes ?? 0) / 2 ** 20), max: Math.round((node?.jvm?.mem?.heap_max_in_bytes ?? 0) / 2 ** 20) };
  };
  try {
    // 1. bare bulk into the versioned index behind the alias. The baseline is the first BASELINE_DOCS
    //    documents, one request at a time with the template's refresh interval (as always); the rest of
    //    the corpus only feeds the query figures and loads faster (2 requests in flight, no refresh,
    //    translog fsync per 5 s instead of per request).
    const heapBefore = await heapMb();
    const baselineDocs = Math.min(BASELINE_DOCS, sizes.facetDocs);
    const bareDps = await corpus.bulkLoad(es, alias, { from: 0, to: baselineDocs });
    const current = (await lifecycle.currentIndex()) ?? alias;
    await es.indices.putSettings({ index: current, settings: { refresh_interval: '-1', 'index.translog.durability': 'async' } });
    let lastReport = performance.now();
    const loadStart = performance.now();
    await corpus.bulkLoad(es, alias, { from: baselineDocs, to: sizes.facetDocs }, {
      concurrency: 2,
      onProgress: (done) => {
        if (performance.now() - lastReport < 30_000) return;
        lastReport = performance.now();
        log(`bulk load: ${done} docs`);
      },
    });
    const loadS = (performance.now() - loadStart) / 1000;
    await es.indices.putSettings({ index: current, settings: { refresh_interval: '1s', 'index.translog.durability': 'request' } });
    await es.indices.refresh({ index: alias });
    const indexStats = await es.indices.stats({ index: alias, metric: ['store', 'docs'] });
    const indexMb = Math.round((indexStats._all.primaries?.store?.size_in_bytes ?? 0) / 2 ** 20);
    const heapAfter = await heapMb();
    log(`bare bulk (baseline): ${baselineDocs} docs, ${bareDps.toFixed(0)} docs/s; corpus of ${sizes.facetDocs} loaded in ${loadS.toFixed(0)} s more; index ${indexMb} MB; ES heap ${heapBefore.used} → ${heapAfter.used} of ${heapAfter.max} MB`);

    // 3. facet queries over the bulk-loaded index
    const search = new CatalogImageSearch(es, alias);
    const latencies: number[] = [];
    for (let q = 0; q < sizes.queries; q++) {
      const dimension = corpus.pick(LABEL_DIMENSIONS);
      const t = performance.now();
      await search.search(parseImageSearch({ [dimension]: corpus.pick(corpus.vocab(dimension)), size: '20' }));
      latencies.push(performance.now() - t);
    }
    latencies.sort((a, b) => a - b);
    const p = (q: number) => quantile(latencies, q);
    log(`facet query over ${sizes.facetDocs} docs: p50 ${p(0.5).toFixed(1)} ms, p95 ${p(0.95).toFixed(1)} ms`);

    // 4. candidates for selective vector-search filters, facts, deep paging
    const candidates = await measureCandidates(es, alias, sizes.facetDocs, sizes.reps, log);
    const heapEnd = await heapMb();

    // 2. through Kafka into a fresh index
    const kafkaIndex = `${alias}-kafka`;
    await es.indices.create({ index: kafkaIndex, mappings: (await es.indices.getMapping({ index: alias }))[(await lifecycle.currentIndex()) ?? alias]?.mappings });
    const partitions = 6;
    const config = loadKafkaConfig({ KAFKA_BROKERS: stack.brokers.join(','), KAFKA_CLIENT_ID: 'bench-catalog', KAFKA_MAX_WAIT_MS: '50', KAFKA_PARTITIONS_CONCURRENCY: String(partitions) });
    const kafka = createKafkaClient(config, logger);
    const codec = SchemaRegistryGateway.connect({ url: stack.registryUrl });
    const producer = new AvroProducer(kafka, codec, { retries: 5 });
    const topics = { imageArrived: uniqueName('bench-image-arrived'), vectorCleaned: uniqueName('bench-vector-cleaned'), indexUpdated: uniqueName('bench-index-updated') };
    await new TopicProvisioner(kafka, logger).ensure([topics.imageArrived, topics.vectorCleaned, topics.indexUpdated].map((topic) => ({ topic, partitions, replicationFactor: 1, withDeadLetterTopic: true })));
    const contract = imageArrivedContract.onTopic(topics.imageArrived);
    for (let start = 0; start < sizes.kafka; start += 500) {
      await producer.sendBatch(contract, Array.from({ length: Math.min(500, sizes.kafka - start) }, (_, k) => ({ key: `img-${start + k}`, value: corpus.image(start + k) })));
    }
    const groupId = uniqueName('bench-catalog');
    const sink = createCatalogSink({ kafka, codec, producer, kafkaConfig: config, es, topics, imagesIndex: kafkaIndex, shardsIndex: `${alias}-shards`, groupId, bulk: { maxBatch: 500, lingerMs: 2 }, logger });
    const kafkaStart = performance.now();
    await sink.start();
    await waitFor(async () => (await consumerLag(kafka, groupId, [topics.imageArrived, topics.vectorCleaned, topics.indexUpdated])) === 0, { timeoutMs: 600_000, intervalMs: 200, what: 'bench sink caught up' });
    const indexDps = sizes.kafka / ((performance.now() - kafkaStart) / 1000);
    await sink.stop();
    await producer.disconnect();
    log(`through Kafka: ${sizes.kafka} events, ${indexDps.toFixed(0)} docs/s (includes group join); ratio to bare bulk ${(indexDps / bareDps).toFixed(2)}`);

    const bySelectivity = Object.fromEntries(candidates.figures.map((f) => [`${f.selectivity * 100}%`, { ids: f.ids, count_ms: f.count_p50_ms, fetch_ms: f.fetch_p50_ms, ids_per_s: f.ids_per_s }]));
    process.stdout.write(
      `${JSON.stringify({
        bench: 'catalog',
        quick,
        index_dps: Math.round(indexDps),
        bare_bulk_dps: Math.round(bareDps),
        corpus_load_s: Math.round(loadS),
        facet_p95_ms: Number(p(0.95).toFixed(1)),
        facet_p50_ms: Number(p(0.5).toFixed(1)),
        facet_docs: sizes.facetDocs,
        candidates: bySelectivity,
        ids_1pct_mean_ms: candidates.baseline,
        facts_mean_ms: candidates.facts,
        deep_page: candidates.deep,
        index_mb: indexMb,
        es_heap_mb: { before: heapBefore.used, after_load: heapAfter.used, end: heapEnd.used, max: heapEnd.max },
        kafka_events: sizes.kafka,
        partitions,
      })}\n`,
    );
  } finally {
    await es.indices.delete({ index: `${alias}*`, ignore_unavailable: true, allow_no_indices: true }).catch(() => undefined);
    await es.indices.deleteIndexTemplate({ name: `${alias}-template` }).catch(() => undefined);
    await es.close();
  }
}
