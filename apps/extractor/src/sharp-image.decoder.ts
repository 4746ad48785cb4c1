/** Moved to @stylestream/model (shared with the search API's query images). */
export { DECODE_CODES, SharpImageDecoder, asDecodeError } from '@stylestream/model';
