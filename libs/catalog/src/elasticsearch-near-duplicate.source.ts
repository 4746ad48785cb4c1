import type { Client } from '@elastic/elasticsearch';
import { bandTerms, parseImageHashes, type ImageHashes } from '@stylestream/near-duplicate';
import { classifyRequestError } from './elasticsearch-errors';
import { buildCatalogFilterQuery, type CatalogFilter } from './catalog-filter';
import { FACT_FIELDS, factsOfFields, type FactFields } from './elasticsearch-candidate.source';
import type { NearDuplicateCandidate, NearDuplicateCandidateSource } from './near-duplicate-candidates.port';

const HASH_FIELDS = ['nearHashes.perceptualHash', 'nearHashes.cropHashes', 'nearHashes.fineHash', 'nearHashes.fineCropHashes'];

interface CandidatePage {
  hits?: { hits?: { fields?: FactFields }[] };
}

/**
 * Elasticsearch adapter of NearDuplicateCandidateSource over the images alias: one
 * search whose filter is the catalogue filter plus `dedupe.status: UNIQUE`, and
 * whose `should` clauses are `terms` on the band fields (minimum one match); hashes
 * and display facts come from doc values (no `_source`).
 */
export class ElasticsearchNearDuplicateSource implements NearDuplicateCandidateSource {
  constructor(
    private readonly client: Client,
    private readonly index: string,
  ) {}

  async nearDuplicateCandidates(hashes: ImageHashes, filter: CatalogFilter, limit: number): Promise<NearDuplicateCandidate[]> {
    const parsed = parseImageHashes(hashes);
    const full = bandTerms(parsed.hash);
    const crops = [...new Set(parsed.crops.flatMap(bandTerms))];
    const base = buildCatalogFilterQuery(filter);
    let page: CandidatePage;
    try {
      page = (await this.client.search({
        index: this.index,
        query: {
          bool: {
            ...base.bool,
            filter: [...(base.bool.filter ?? []), { term: { 'dedupe.status': 'UNIQUE' } }],
            should: [{ terms: { 'nearHashes.bands': [...full, ...crops] } }, { terms: { 'nearHashes.cropBands': full } }],
            minimum_should_match: 1,
          },
        },
        size: limit,
        _source: false,
        stored_fields: ['_none_'],
        docvalue_fields: [...FACT_FIELDS.map((field) => (field === 'publishedAt' ? { field, format: 'epoch_millis' } : field)), ...HASH_FIELDS],
        filter_path: ['hits.hits.fields'],
      }));
    } catch (err) {
      throw classifyRequestError(err, 'near-duplicate candidates');
    }
    return (page.hits?.hits ?? []).flatMap((hit): NearDuplicateCandidate[] => {
      const fields = hit.fields ?? {};
      const facts = factsOfFields(fields);
      const perceptualHash = fields['nearHashes.perceptualHash']?.[0];
      if (facts === undefined || perceptualHash === undefined) return [];
      const fineHash = fields['nearHashes.fineHash']?.[0];
      const strings = (name: string) => (fields[name] ?? []).map(String);
      return [{
        imageId: facts.imageId,
        hashes: { perceptualHash: String(perceptualHash), cropHashes: strings('nearHashes.cropHashes'), fineHashes: fineHash === undefined ? [] : [String(fineHash), ...strings('nearHashes.fineCropHashes')] },
        facts,
      }];
    });
  }
}
