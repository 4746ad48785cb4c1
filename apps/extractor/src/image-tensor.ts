/** Moved to @stylestream/model (shared with the search API's query images). */
export { writeImageIntoBatch } from '@stylestream/model';
