import { createHash } from 'node:crypto';
import type { AvroProducer } from '@stylestream/kafka';
import { type VectorCleaned, type VectorExtracted, emptyLabels, vectorCleanedContract, vectorExtractedContract, vectorToBytes } from '@stylestream/schemas';

export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The image id of generated row `row` (ids are stable across runs of one seed). */
export const rowId = (row: number): string => `vec-${row}`;

/** The row number of an id made by `rowId`, or -1. */
export const rowOf = (id: string): number => (id.startsWith('vec-') ? Number(id.slice(4)) : -1);

const BASE_TIME = 1_760_000_000_000;

/** A vector-extracted record for a generated row (the sha256 and pHash are what the caller says; the rest is filler). */
export function extractedRecord(imageId: string, vector: ArrayLike<number>, contentSha256: string, perceptualHash: string, modelVersion = '1.0.0'): VectorExtracted {
  return {
    imageId,
    uri: `file:///bench/${imageId}.jpg`,
    source: 'social',
    bloggerId: 'blogger-bench',
    publishedAt: BASE_TIME,
    labels: emptyLabels(),
    modelId: 'bench-generated',
    modelVersion,
    dim: vector.length,
    vector: vectorToBytes(vector),
    contentSha256,
    perceptualHash,
    width: 224,
    height: 224,
    extractedAt: BASE_TIME,
  };
}

/** A vector-cleaned UNIQUE record for a generated row. */
export function cleanedRecord(imageId: string, vector: ArrayLike<number>, modelVersion = '1.0.0'): VectorCleaned {
  return { ...extractedRecord(imageId, vector, sha256Hex(imageId), '0000000000000000', modelVersion), status: 'UNIQUE', duplicateOf: null, similarity: null, cleanedAt: Date.now() };
}

/**
 * Produces rows [from, to) of `vectors` (row-major, `dim` wide) as
 * vector-cleaned UNIQUE records to `topic`, `batch` records per request with
 * up to `inFlight` requests outstanding. Resolves when all are acknowledged.
 */
export async function produceCleaned(producer: AvroProducer, topic: string, vectors: Float32Array, dim: number, from: number, to: number, options: { batch?: number; inFlight?: number; idOf?: (row: number) => string } = {}): Promise<void> {
  const contract = vectorCleanedContract.onTopic(topic);
  const batch = options.batch ?? 500;
  const idOf = options.idOf ?? rowId;
  const pending = new Set<Promise<unknown>>();
  for (let start = from; start < to; start += batch) {
    const records = [];
    for (let r = start; r < Math.min(to, start + batch); r++) {
      const id = idOf(r);
      records.push({ key: id, value: cleanedRecord(id, vectors.subarray(r * dim, (r + 1) * dim)) });
    }
    const p = producer.sendBatch(contract, records).finally(() => pending.delete(p));
    pending.add(p);
    if (pending.size >= (options.inFlight ?? 4)) await Promise.race(pending);
  }
  await Promise.all(pending);
}

/** The vector-extracted contract on a topic (re-exported for the reliability test). */
export const extractedOn = (topic: string): ReturnType<typeof vectorExtractedContract.onTopic> => vectorExtractedContract.onTopic(topic);
