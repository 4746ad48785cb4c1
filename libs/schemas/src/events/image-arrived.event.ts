/**
 * TypeScript shape of `schemas/avro/image-arrived.avsc`, as avsc reads and writes it:
 * timestamp-millis longs are plain numbers (ms since the Unix epoch, UTC; avsc is
 * used without logical-type classes), optional fields are `T | null` (a missing
 * optional field takes its schema default when encoded), bytes are Buffers.
 * events.spec.ts round-trips a sample of every interface through its schema.
 */

/** Channel kinds, in the order of the Avro enum symbols. */
export const IMAGE_SOURCES = ['social', 'runway', 'retail', 'wholesale', 'ecommerce', 'street'] as const;
export type ImageSource = (typeof IMAGE_SOURCES)[number];

/** Label dimensions, in the order of the `ImageLabels` record fields. */
export const LABEL_DIMENSIONS = [
  'category',
  'fabric',
  'texture',
  'process',
  'accessory',
  'style',
  'silhouette',
  'collar',
  'color',
] as const;
export type LabelDimension = (typeof LABEL_DIMENSIONS)[number];

/** Labels by dimension; every dimension defaults to [] (unknown/none). */
export type ImageLabels = Record<LabelDimension, string[]>;

/** A labels record with every dimension empty. */
export function emptyLabels(): ImageLabels {
  return Object.fromEntries(LABEL_DIMENSIONS.map((d) => [d, [] as string[]])) as ImageLabels;
}

/** Value of topic `image-arrived` (key = imageId; a null value is a take-down tombstone). */
export interface ImageArrived {
  imageId: string;
  uri: string;
  source: ImageSource;
  bloggerId?: string | null;
  /** ms since the Unix epoch (timestamp-millis). */
  publishedAt: number;
  /** ms since the Unix epoch (timestamp-millis). */
  crawledAt: number;
  labels: ImageLabels;
  title?: string | null;
  /** Lower-case hex SHA-256 of the image bytes, if the publisher knows it. */
  contentSha256?: string | null;
  attributes: Record<string, string>;
}
