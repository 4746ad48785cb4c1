import type { ImageHashes } from '@stylestream/near-duplicate';
import type { CatalogImageFacts } from './catalog-candidates.port';
import type { CatalogFilter } from './catalog-filter';

/** A catalogue image that shares a hash band with the looked-up image: its hashes (to verify) and display facts. */
export interface NearDuplicateCandidate {
  readonly imageId: string;
  readonly hashes: ImageHashes;
  readonly facts: CatalogImageFacts;
}

/**
 * Band lookup of near-duplicate candidates (docs/DESIGN.md §18, "Search: near-duplicate lookup before semantic ranking"):
 * LIVE, UNIQUE (canonical) images matching `filter` whose full-frame pHash shares a
 * 16-bit band with the image's pHash or one of its crop hashes, or one of whose crop
 * hashes shares a band with the image's pHash — the candidate set of the dedupe
 * stage's band index. Not verified: the caller applies the near-duplicate rule.
 * At most `limit`, in no meaningful order. Sees writes after the index refresh.
 *
 * Errors: DependencyUnavailableError when the store is unreachable or too slow;
 * InternalError when it rejects the request. Hashes are validated before.
 */
export interface NearDuplicateCandidateSource {
  nearDuplicateCandidates(hashes: ImageHashes, filter: CatalogFilter, limit: number): Promise<NearDuplicateCandidate[]>;
}
