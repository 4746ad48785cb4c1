import type { Client } from '@elastic/elasticsearch';
import type { LabelDimension } from '@stylestream/schemas';
import type { CatalogImageDoc } from './catalog-document';
import { classifyRequestError } from './elasticsearch-errors';
import { encodeCursor, type SortValues } from './image-search.cursor';
import { buildImageSearchRequest, type ImageSearch } from './image-search.query';

/** One hit as the API returns it. */
export interface CatalogImageHit {
  imageId: string;
  uri: string | null;
  source: string | null;
  bloggerId: string | null;
  publishedAt: string | null;
  crawledAt: string | null;
  title: string | null;
  labels: Partial<Record<LabelDimension, string[]>>;
  dedupe: { status: string; duplicateOf: string | null } | null;
}

export interface CatalogSearchResult {
  total: number;
  from: number;
  size: number;
  images: CatalogImageHit[];
  /** Per dimension, value → count over the whole result set (not only the page). */
  facets: Partial<Record<LabelDimension, { value: string; count: number }[]>>;
  /**
   * Pass as `cursor` (same filters) for the page after this one; works past the
   * 10,000 from/size window. Null when this page is the last (or size is 0).
   */
  nextCursor: string | null;
}

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

/**
 * Runs image searches against the images alias. Throws
 * DependencyUnavailableError when Elasticsearch is unreachable or overloaded,
 * InternalError for a request it rejects (a bug: parameters are validated before).
 */
export class CatalogImageSearch {
  constructor(
    private readonly client: Client,
    private readonly index: string,
  ) {}

  async search(search: ImageSearch): Promise<CatalogSearchResult> {
    let response;
    try {
      response = await this.client.search<CatalogImageDoc>({ index: this.index, ...buildImageSearchRequest(search) });
    } catch (err) {
      throw classifyRequestError(err, 'image search');
    }
    const total = typeof response.hits.total === 'number' ? response.hits.total : (response.hits.total?.value ?? 0);
    const facets: CatalogSearchResult['facets'] = {};
    for (const d of search.facets) {
      const agg = response.aggregations?.[d] as { buckets?: { key: string; doc_count: number }[] } | undefined;
      facets[d] = (agg?.buckets ?? []).map((b) => ({ value: String(b.key), count: b.doc_count }));
    }
    const images = response.hits.hits.flatMap((hit) => {
      const doc = hit._source;
      if (doc === undefined) return [];
      return [
        {
          imageId: doc.imageId,
          uri: doc.uri ?? null,
          source: doc.source ?? null,
          bloggerId: doc.bloggerId ?? null,
          publishedAt: iso(doc.publishedAt),
          crawledAt: iso(doc.crawledAt),
          title: doc.title ?? null,
          labels: doc.labels ?? {},
          dedupe: doc.dedupe === undefined ? null : { status: doc.dedupe.status, duplicateOf: doc.dedupe.duplicateOf },
        },
      ];
    });
    const hits = response.hits.hits;
    const last = hits.at(-1)?.sort as SortValues | undefined;
    const more = search.size > 0 && hits.length === search.size && (search.after !== undefined || search.from + hits.length < total);
    return { total, from: search.from, size: search.size, images, facets, nextCursor: more && last !== undefined ? encodeCursor(search.filter, last) : null };
  }
}
