/** The image hashes live in @stylestream/near-duplicate: the search API hashes query images with the same code. */
export { CROP_HASH_SCALES, FINE_HASH_SIZE, centreCropHashes, differenceHash, fineHashes, imageHashes } from '@stylestream/near-duplicate';
