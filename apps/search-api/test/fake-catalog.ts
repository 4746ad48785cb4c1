import { DependencyUnavailableError } from '@stylestream/errors';
import type { CandidateIds, CatalogCandidateSource, CatalogFilter, CatalogImageFacts } from '@stylestream/catalog';
import { matchesFilter } from '../src/domain/catalog-filter.match';

/** An in-memory catalogue: facts per id; filters evaluated with the same predicate as the post-filter. */
export class FakeCatalog implements CatalogCandidateSource {
  readonly facts = new Map<string, CatalogImageFacts>();
  down = false;
  readonly calls: string[] = [];

  put(id: string, facts: Partial<CatalogImageFacts> = {}): this {
    this.facts.set(id, { imageId: id, uri: `https://cdn.example/${id}.jpg`, source: 'social', bloggerId: null, publishedAt: 0, labels: {}, dedupeStatus: 'UNIQUE', duplicateOf: null, ...facts });
    return this;
  }

  private matching(filter: CatalogFilter): string[] {
    return [...this.facts.values()].filter((f) => matchesFilter(filter, f)).map((f) => f.imageId);
  }

  countMatching(filter: CatalogFilter): Promise<number> {
    this.calls.push('count');
    if (this.down) return Promise.reject(new DependencyUnavailableError('elasticsearch', 'down'));
    return Promise.resolve(this.matching(filter).length);
  }

  candidateIds(filter: CatalogFilter, limit: number): Promise<CandidateIds> {
    this.calls.push('candidates');
    if (this.down) return Promise.reject(new DependencyUnavailableError('elasticsearch', 'down'));
    const all = this.matching(filter);
    return Promise.resolve({ ids: all.slice(0, limit), total: all.length, truncated: all.length > limit });
  }

  factsByIds(ids: readonly string[]): Promise<Map<string, CatalogImageFacts>> {
    this.calls.push('facts');
    if (this.down) return Promise.reject(new DependencyUnavailableError('elasticsearch', 'down'));
    return Promise.resolve(new Map(ids.flatMap((id) => { const f = this.facts.get(id); return f === undefined ? [] : [[id, f] as const]; })));
  }
}
