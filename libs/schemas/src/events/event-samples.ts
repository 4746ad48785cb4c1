import type { DeadLetter } from './dead-letter.envelope';
import type { ImageArrived } from './image-arrived.event';
import type { IndexUpdated } from './index-updated.event';
import type { VectorCleaned } from './vector-cleaned.event';
import { vectorToBytes, type VectorExtracted } from './vector-extracted.event';

/** Fully populated sample values of every event (for tests across the code base). */
export function sampleImageArrived(overrides: Partial<ImageArrived> = {}): ImageArrived {
  return {
    imageId: 'img-0001',
    uri: 'file:///data/clothing-small/train/dress/0001.jpg',
    source: 'social',
    bloggerId: 'blogger-42',
    publishedAt: 1_760_000_000_000,
    crawledAt: 1_760_000_060_000,
    labels: {
      category: ['dress'],
      fabric: ['silk'],
      texture: ['floral'],
      process: [],
      accessory: ['belt'],
      style: ['vintage'],
      silhouette: ['a-line'],
      collar: ['v-neck'],
      color: ['red', 'white'],
    },
    title: 'Summer look',
    contentSha256: 'a'.repeat(64),
    attributes: { brand: 'acme', market: 'paris' },
    ...overrides,
  };
}

export function sampleVectorExtracted(overrides: Partial<VectorExtracted> = {}): VectorExtracted {
  const image = sampleImageArrived();
  return {
    imageId: image.imageId,
    uri: image.uri,
    source: image.source,
    bloggerId: image.bloggerId,
    publishedAt: image.publishedAt,
    labels: image.labels,
    modelId: 'mobilenet-v2-proj256',
    modelVersion: '1.0.0',
    dim: 4,
    vector: vectorToBytes([0.5, -1.25, 3, 0]),
    contentSha256: 'b'.repeat(64),
    perceptualHash: 'f0e1d2c3b4a59687',
    cropHashes: ['f0e1d2c3b4a59686', 'f0e1d2c3b4a59685'],
    fineHashes: ['0f1e2d3c4b5a6978'.repeat(4)],
    width: 224,
    height: 320,
    extractedAt: 1_760_000_120_000,
    ...overrides,
  };
}

export function sampleVectorCleaned(overrides: Partial<VectorCleaned> = {}): VectorCleaned {
  return {
    ...sampleVectorExtracted(),
    status: 'NEAR_DUPLICATE',
    duplicateOf: 'img-0000',
    similarity: 0.97,
    cleanedAt: 1_760_000_180_000,
    ...overrides,
  };
}

export function sampleIndexUpdated(overrides: Partial<IndexUpdated> = {}): IndexUpdated {
  return {
    shardId: 'shard-p0-0003',
    partitions: [
      { topic: 'vector-cleaned', partition: 0, offset: 41_999 },
      { topic: null, partition: 3, offset: 7 },
    ],
    ops: { added: 100, replaced: 2, deleted: 1, skipped: 5 },
    vectorCount: 12_345,
    snapshotVersion: 17,
    sealed: false,
    at: 1_760_000_240_000,
    ...overrides,
  };
}

export function sampleDeadLetter(overrides: Partial<DeadLetter> = {}): DeadLetter {
  return {
    key: Buffer.from('img-0001'),
    value: Buffer.from([0x01, 0x02, 0x03]),
    headers: [
      { key: 'trace-id', value: Buffer.from('abc') },
      { key: 'empty', value: null },
    ],
    sourceTopic: 'image-arrived',
    sourcePartition: 2,
    sourceOffset: 1234,
    sourceTimestamp: 1_760_000_000_500,
    stage: 'extractor',
    errorClass: 'WIRE_FORMAT_INVALID',
    reason: 'magic byte is 0x01, expected 0x00',
    retriable: false,
    attempts: 1,
    at: 1_760_000_300_000,
    ...overrides,
  };
}
