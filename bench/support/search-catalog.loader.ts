import type { Client } from '@elastic/elasticsearch';
import { performance } from 'node:perf_hooks';
import { CatalogIndexLifecycle, mergeImageArrived } from '@stylestream/catalog';
import { type ImageArrived, emptyLabels } from '@stylestream/schemas';
import { benchFacts } from './search-label.catalog';

/** The image-arrived event of benchmark row `row`: the labels and blogger of the synthetic catalogue. */
function benchEvent(row: number): ImageArrived {
  const facts = benchFacts(row);
  const labels = emptyLabels();
  labels.style = [...(facts.labels.style ?? [])];
  return { imageId: facts.imageId, uri: facts.uri ?? '', source: 'social', bloggerId: facts.bloggerId, publishedAt: 1_760_000_000_000, crawledAt: 1_760_000_000_000, labels, title: null, contentSha256: null, attributes: {} };
}

/**
 * The benchmark rows as catalogue documents in Elasticsearch, behind `alias`
 * (template, versioned index and alias from the real lifecycle; documents as
 * the sink merges them), so the search API's real Elasticsearch adapter
 * answers counts, candidate ids and facts. Reuses an index that already holds
 * the n documents. Returns the seconds spent loading (0 when reused).
 */
export async function loadBenchCatalog(es: Client, alias: string, n: number, log: (line: string) => void): Promise<number> {
  const lifecycle = new CatalogIndexLifecycle(es, { alias, shardsIndex: `${alias}-shards`, refreshInterval: '1s' });
  await lifecycle.ensure();
  if ((await es.count({ index: alias })).count === n) return 0;
  const started = performance.now();
  const chunk = 5_000;
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const start = next;
      next = Math.min(n, start + chunk);
      const operations: unknown[] = [];
      for (let row = start; row < next; row++) {
        const event = benchEvent(row);
        operations.push({ index: { _index: alias, _id: event.imageId } }, mergeImageArrived(event.imageId, event, row)(undefined));
      }
      const r = await es.bulk({ operations });
      if (r.errors) throw new Error(`bulk load of the benchmark catalogue had item errors: ${JSON.stringify(r.items.find((it) => it.index?.error)?.index?.error)}`);
      if (next % 100_000 < chunk) log(`  catalogue: ${next} of ${n} documents`);
    }
  };
  await Promise.all([worker(), worker()]);
  await es.indices.refresh({ index: alias });
  return (performance.now() - started) / 1000;
}

/** Removes the benchmark catalogue (indices behind the alias, shards index, template). Never throws. */
export async function dropBenchCatalog(es: Client, alias: string, log: (line: string) => void): Promise<void> {
  try {
    const aliased = Object.keys(await es.indices.getAlias({ name: alias }));
    await es.indices.delete({ index: [...aliased, `${alias}-shards`], ignore_unavailable: true });
    await es.indices.deleteIndexTemplate({ name: `${alias}-template` });
  } catch (err) {
    log(`could not remove the benchmark catalogue ${alias}: ${String(err)}`);
  }
}
