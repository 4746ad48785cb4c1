/** Moved to @stylestream/model (shared with the search API's query images). */
export type { ImageDecoder, PreparedImage, ResizeTarget } from '@stylestream/model';
