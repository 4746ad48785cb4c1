import { z } from 'zod';
import { InvalidInputError } from '@stylestream/errors';
import { DEDUP_STATUSES, bytesToVector, vectorToBytes } from '@stylestream/schemas';
import type { DedupeEntry } from './dedupe-state';

/**
 * The value of a `dedupe-state` changelog record: UTF-8 JSON, versioned by
 * `v`. The changelog is dedupe's private, compacted topic (like a Kafka
 * Streams store changelog), not a chain topic, so it is not registered in the
 * schema registry. The vector is float32 little-endian, base64.
 */
const stateRecordSchema = z.object({
  v: z.literal(1),
  imageId: z.string().min(1),
  contentSha256: z.string(),
  perceptualHash: z.string(),
  /** Added after the first records were written: absent reads as none. */
  cropHashes: z.array(z.string()).default([]),
  fineHashes: z.array(z.string()).default([]),
  modelVersion: z.string(),
  vector: z.string().nullable(),
  status: z.enum(DEDUP_STATUSES),
  duplicateOf: z.string().nullable(),
  similarity: z.number().nullable(),
});

export function encodeStateRecord(entry: DedupeEntry): Buffer {
  const record: z.infer<typeof stateRecordSchema> = {
    v: 1,
    imageId: entry.imageId,
    contentSha256: entry.contentSha256,
    perceptualHash: entry.perceptualHash,
    cropHashes: [...(entry.cropHashes ?? [])],
    fineHashes: [...(entry.fineHashes ?? [])],
    modelVersion: entry.modelVersion,
    vector: entry.vector === null ? null : vectorToBytes(entry.vector).toString('base64'),
    status: entry.status,
    duplicateOf: entry.duplicateOf,
    similarity: entry.similarity,
  };
  return Buffer.from(JSON.stringify(record), 'utf8');
}

/** Throws InvalidInputError (code STATE_RECORD_INVALID) for bytes that are not a version-1 state record. */
export function decodeStateRecord(bytes: Buffer): DedupeEntry {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new InvalidInputError('dedupe state record is not JSON', 'STATE_RECORD_INVALID', err);
  }
  const result = stateRecordSchema.safeParse(parsed);
  if (!result.success) throw new InvalidInputError(`dedupe state record is invalid: ${result.error.message}`, 'STATE_RECORD_INVALID', result.error);
  const r = result.data;
  return {
    imageId: r.imageId,
    contentSha256: r.contentSha256,
    perceptualHash: r.perceptualHash,
    cropHashes: r.cropHashes,
    fineHashes: r.fineHashes,
    modelVersion: r.modelVersion,
    vector: r.vector === null ? null : bytesToVector(Buffer.from(r.vector, 'base64')),
    status: r.status,
    duplicateOf: r.duplicateOf,
    similarity: r.similarity,
  };
}
