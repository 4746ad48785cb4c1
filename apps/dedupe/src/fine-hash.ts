/** Fine hashes live in @stylestream/near-duplicate (shared with the search API's near-duplicate lookup). */
export { FINE_HASH_BITS, type FineHash, fineDistance, fineHamming, parseFineHash } from '@stylestream/near-duplicate';
