import type { Client } from '@elastic/elasticsearch';
import { mergeImageArrived } from '@stylestream/catalog';
import { IMAGE_SOURCES, type ImageArrived, LABEL_DIMENSIONS, emptyLabels } from '@stylestream/schemas';

/** Bloggers of the generated corpus: image i belongs to blogger i % BLOGGERS, so one blogger is exactly 0.1% of it. */
export const BLOGGERS = 1_000;

/** Deterministic PRNG (mulberry32) so runs compare. */
export function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Generated image-arrived events of the catalogue benchmark: one value per
 * label dimension, uniform over 12 values (16 colours), six sources, BLOGGERS
 * bloggers round-robin, one second apart. Vocabularies are built once so the
 * timed loops measure Elasticsearch, not array building.
 */
export class CatalogCorpus {
  private readonly random = seeded(42);
  private readonly vocabs = new Map<string, readonly string[]>(LABEL_DIMENSIONS.map((d) => [d, Array.from({ length: d === 'color' ? 16 : 12 }, (_, i) => `${d}-${i}`)]));

  vocab(dimension: string): readonly string[] {
    return this.vocabs.get(dimension) ?? [];
  }

  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.random() * xs.length)];
  }

  image(i: number): ImageArrived {
    const labels = emptyLabels();
    for (const d of LABEL_DIMENSIONS) labels[d] = [this.pick(this.vocab(d))];
    return {
      imageId: `img-${i}`,
      uri: `file:///bench/${i}.jpg`,
      source: this.pick(IMAGE_SOURCES),
      bloggerId: `blogger-${i % BLOGGERS}`,
      publishedAt: 1_760_000_000_000 + i * 1000,
      crawledAt: 1_760_000_000_000 + i * 1000,
      labels,
      title: `look ${this.pick(['summer', 'winter', 'office', 'party'])} ${i}`,
      contentSha256: null,
      attributes: {},
    };
  }

  /** Bulk-loads documents [from, to) as the sink would have merged them, `chunk` per request, `concurrency` requests in flight. Returns docs/s. */
  async bulkLoad(es: Client, index: string, range: { from: number; to: number }, options: { chunk?: number; concurrency?: number; onProgress?: (done: number) => void } = {}): Promise<number> {
    const chunk = options.chunk ?? 2_000;
    const started = performance.now();
    let next = range.from;
    const worker = async () => {
      while (next < range.to) {
        const start = next;
        next = Math.min(range.to, start + chunk);
        const operations: unknown[] = [];
        for (let i = start; i < next; i++) operations.push({ create: { _index: index, _id: `img-${i}` } }, mergeImageArrived(`img-${i}`, this.image(i), i)(undefined));
        const r = await es.bulk({ operations });
        if (r.errors) throw new Error(`bare bulk had item errors: ${JSON.stringify(r.items.find((it) => it.create?.error)?.create?.error)}`);
        options.onProgress?.(next);
      }
    };
    await Promise.all(Array.from({ length: options.concurrency ?? 1 }, worker));
    return (range.to - range.from) / ((performance.now() - started) / 1000);
  }
}
