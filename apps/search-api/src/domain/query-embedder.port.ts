import type { ImageHashes } from '@stylestream/near-duplicate';

/** A query image turned into a vector by the indexing model. */
export interface QueryEmbedding {
  /** L2-normalised. */
  readonly vector: number[];
  /** The model version the vector belongs to (the index version to search). */
  readonly modelVersion: string;
  /** The image's perceptual hashes, computed like the extractor's from the same prepared pixels (absent: no near-duplicate lookup). */
  readonly hashes?: ImageHashes;
}

/**
 * Embeds one query image with the same preprocessing and model as the
 * extractor. Rejects with InvalidInputError for bytes that are not a
 * supported image (IMAGE_FORMAT_UNSUPPORTED), corrupt ones
 * (IMAGE_DECODE_FAILED) and images over the pixel limit
 * (IMAGE_PIXELS_OVER_LIMIT, refused from the header). Calls may overlap.
 */
export interface QueryEmbedder {
  readonly modelVersion: string;
  readonly dim: number;
  embed(bytes: Buffer): Promise<QueryEmbedding>;
  close(): Promise<void>;
}
