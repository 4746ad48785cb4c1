import type { ImageArrived } from './image-arrived.event';

/** Value of topic `vector-extracted` (key = imageId). Shape conventions: see image-arrived.event.ts. */
export interface VectorExtracted extends Pick<ImageArrived, 'imageId' | 'uri' | 'source' | 'bloggerId' | 'publishedAt' | 'labels'> {
  modelId: string;
  modelVersion: string;
  dim: number;
  /** `dim` float32 values, little-endian (see `vectorToBytes` / `bytesToVector`). */
  vector: Buffer;
  contentSha256: string;
  perceptualHash: string;
  /**
   * Perceptual hashes of centre crops of the image (same format as perceptualHash), largest crop first.
   * Optional: the schema default is [] (producers that do not compute them, records written before the field).
   */
  cropHashes?: string[];
  /** 256-bit perceptual hashes (64 hex digits) of the full image, then of the same centre crops; optional, schema default []. */
  fineHashes?: string[];
  width: number;
  height: number;
  /** ms since the Unix epoch (timestamp-millis). */
  extractedAt: number;
}

/** Encodes a vector as the `vector` field expects: float32 little-endian, no header. */
export function vectorToBytes(vector: ArrayLike<number>): Buffer {
  const out = Buffer.allocUnsafe(vector.length * 4);
  for (let i = 0; i < vector.length; i++) out.writeFloatLE(vector[i], i * 4);
  return out;
}

/** Decodes the `vector` field into a Float32Array (copies, so alignment never matters). */
export function bytesToVector(bytes: Buffer): Float32Array {
  if (bytes.length % 4 !== 0) throw new RangeError(`vector byte length ${bytes.length} is not a multiple of 4`);
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readFloatLE(i * 4);
  return out;
}
