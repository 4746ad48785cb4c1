import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { CatalogImageSearch, CatalogIndexLifecycle, createElasticsearchClient, mergeImageArrived, parseImageSearch } from '@stylestream/catalog';
import { AvroProducer, TopicProvisioner, consumerLag, createKafkaClient, loadKafkaConfig } from '@stylestream/kafka';
import { IMAGE_SOURCES, type ImageArrived, LABEL_DIMENSIONS, SchemaRegistryGateway, emptyLabels, imageArrivedContract } from '@stylestream/schemas';
import { stack, uniqueName, waitFor } from '@stylestream/test-support';
import { createCatalogSink } from '../apps/catalog/src/sink/catalog-sink';

/**
 * `npm run bench -- catalog [--quick]` against the local stack:
 * 1. bare bulk: generated documents straight into Elasticsearch (the ceiling);
 * 2. through Kafka: image-arrived events consumed by the catalogue sink until lag 0;
 * 3. facet query p95: label-filtered searches with terms aggregations on all nine
 *    dimensions over the bare-bulk index (1M documents; 20k with --quick).
 * Last line: {"bench":"catalog","index_dps":..,"facet_p95_ms":..,...}.
 */
export async function run(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const sizes = quick ? { kafka: 2_000, facetDocs: 20_000, queries: 100 } : { kafka: 20_000, facetDocs: 1_000_000, queries: 500 };
  process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';
  const logger = pino({ level: 'warn' });
  const es = createElasticsearchClient({ node: stack.elasticsearchUrl, requestTimeoutMs: 120_000 });
  const alias = uniqueName('bench-catalog');
  const lifecycle = new CatalogIndexLifecycle(es, { alias, shardsIndex: `${alias}-shards`, refreshInterval: '1s' });
  await lifecycle.ensure();
  const random = seeded(42);
  // Built once: the bare-bulk baseline must time Elasticsearch, not array building.
  const vocabs = new Map<string, readonly string[]>(LABEL_DIMENSIONS.map((d) => [d, Array.from({ length: d === 'color' ? 16 : 12 }, (_, i) => `${d}-${i}`)]));
  const vocab = (d: string): readonly string[] => vocabs.get(d) ?? [];
  const pick = (xs: readonly string[]) => xs[Math.floor(random() * xs.length)];
  const image = (i: number): ImageArrived => {
    const labels = emptyLabels();
    for (const d of LABEL_DIMENSIONS) labels[d] = [pick(vocab(d))];
    return { imageId: `img-${i}`, uri: `file:///bench/${i}.jpg`, source: pick(IMAGE_SOURCES) as ImageArrived['source'], bloggerId: `blogger-${i % 500}`, publishedAt: 1_760_000_000_000 + i * 1000, crawledAt: 1_760_000_000_000 + i * 1000, labels, title: `look ${pick(['summer', 'winter', 'office', 'party'])} ${i}`, contentSha256: null, attributes: {} };
  };
  try {
    // 1. bare bulk into the versioned index behind the alias
    const bareStart = performance.now();
    const chunk = 2_000;
    for (let start = 0; start < sizes.facetDocs; start += chunk) {
      const operations: unknown[] = [];
      for (let i = start; i < Math.min(sizes.facetDocs, start + chunk); i++) {
        operations.push({ create: { _index: alias, _id: `img-${i}` } }, mergeImageArrived(`img-${i}`, image(i), i)(undefined));
      }
      const r = await es.bulk({ operations });
      if (r.errors) throw new Error('bare bulk had item errors');
    }
    const bareDps = sizes.facetDocs / ((performance.now() - bareStart) / 1000);
    await es.indices.refresh({ index: alias });
    process.stderr.write(`bare bulk: ${sizes.facetDocs} docs, ${bareDps.toFixed(0)} docs/s\n`);

    // 3. facet queries over the bulk-loaded index
    const search = new CatalogImageSearch(es, alias);
    const latencies: number[] = [];
    for (let q = 0; q < sizes.queries; q++) {
      const dimension = pick(LABEL_DIMENSIONS);
      const t = performance.now();
      await search.search(parseImageSearch({ [dimension]: pick(vocab(dimension)), size: '20' }));
      latencies.push(performance.now() - t);
    }
    latencies.sort((a, b) => a - b);
    const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
    process.stderr.write(`facet query over ${sizes.facetDocs} docs: p50 ${p(0.5).toFixed(1)} ms, p95 ${p(0.95).toFixed(1)} ms\n`);

    // 2. through Kafka into a fresh index
    const kafkaIndex = `${alias}-kafka`;
    await es.indices.create({ index: kafkaIndex, mappings: (await es.indices.getMapping({ index: alias }))[await lifecycle.currentIndex() ?? alias]?.mappings });
    const partitions = 6;
    const config = loadKafkaConfig({ KAFKA_BROKERS: stack.brokers.join(','), KAFKA_CLIENT_ID: 'bench-catalog', KAFKA_MAX_WAIT_MS: '50', KAFKA_PARTITIONS_CONCURRENCY: String(partitions) });
    const kafka = createKafkaClient(config, logger);
    const codec = SchemaRegistryGateway.connect({ url: stack.registryUrl });
    const producer = new AvroProducer(kafka, codec, { retries: 5 });
    const topics = { imageArrived: uniqueName('bench-image-arrived'), vectorCleaned: uniqueName('bench-vector-cleaned'), indexUpdated: uniqueName('bench-index-updated') };
    await new TopicProvisioner(kafka, logger).ensure([topics.imageArrived, topics.vectorCleaned, topics.indexUpdated].map((topic) => ({ topic, partitions, replicationFactor: 1, withDeadLetterTopic: true })));
    const contract = imageArrivedContract.onTopic(topics.imageArrived);
    for (let start = 0; start < sizes.kafka; start += 500) {
      await producer.sendBatch(contract, Array.from({ length: Math.min(500, sizes.kafka - start) }, (_, k) => ({ key: `img-${start + k}`, value: image(start + k) })));
    }
    const groupId = uniqueName('bench-catalog');
    const sink = createCatalogSink({ kafka, codec, producer, kafkaConfig: config, es, topics, imagesIndex: kafkaIndex, shardsIndex: `${alias}-shards`, groupId, bulk: { maxBatch: 500, lingerMs: 2 }, logger });
    const kafkaStart = performance.now();
    await sink.start();
    await waitFor(async () => (await consumerLag(kafka, groupId, [topics.imageArrived, topics.vectorCleaned, topics.indexUpdated])) === 0, { timeoutMs: 600_000, intervalMs: 200, what: 'bench sink caught up' });
    const indexDps = sizes.kafka / ((performance.now() - kafkaStart) / 1000);
    await sink.stop();
    await producer.disconnect();
    process.stderr.write(`through Kafka: ${sizes.kafka} events, ${indexDps.toFixed(0)} docs/s (includes group join)\n`);

    process.stdout.write(
      `${JSON.stringify({ bench: 'catalog', quick, index_dps: Math.round(indexDps), bare_bulk_dps: Math.round(bareDps), facet_p95_ms: Number(p(0.95).toFixed(1)), facet_p50_ms: Number(p(0.5).toFixed(1)), facet_docs: sizes.facetDocs, kafka_events: sizes.kafka, partitions })}\n`,
    );
  } finally {
    await es.indices.delete({ index: `${alias}*`, ignore_unavailable: true, allow_no_indices: true }).catch(() => undefined);
    await es.indices.deleteIndexTemplate({ name: `${alias}-template` }).catch(() => undefined);
    await es.close();
  }
}

/** Deterministic PRNG (mulberry32) so runs compare. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
