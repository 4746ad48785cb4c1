/** pHash bands live in @stylestream/near-duplicate (the catalogue indexes the same bands). */
export { PHASH_BANDS, bandsOf } from '@stylestream/near-duplicate';
