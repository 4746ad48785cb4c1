import { emptyLabels, type ImageArrived, type ImageLabels, type ImageSource, type IndexUpdated, type VectorCleaned } from '@stylestream/schemas';

/** An image-arrived value with the given facts (labels default to empty). */
export function imageArrived(imageId: string, facts: { quarterStart: number; bloggerId: string | null; source: ImageSource; labels?: Partial<ImageLabels> }): ImageArrived {
  return {
    imageId,
    uri: `file:///images/${imageId}.jpg`,
    source: facts.source,
    bloggerId: facts.bloggerId,
    publishedAt: facts.quarterStart + 86_400_000,
    crawledAt: facts.quarterStart + 2 * 86_400_000,
    labels: { ...emptyLabels(), ...facts.labels },
    attributes: {},
  };
}

export function vectorCleaned(arrived: ImageArrived, status: VectorCleaned['status'], duplicateOf: string | null = null): VectorCleaned {
  return {
    imageId: arrived.imageId,
    uri: arrived.uri,
    source: arrived.source,
    bloggerId: arrived.bloggerId,
    publishedAt: arrived.publishedAt,
    labels: arrived.labels,
    modelId: 'test-model',
    modelVersion: 'v1',
    dim: 2,
    vector: Buffer.alloc(8),
    contentSha256: '0'.repeat(64),
    perceptualHash: '0'.repeat(16),
    width: 10,
    height: 10,
    extractedAt: arrived.crawledAt,
    status,
    duplicateOf,
    similarity: duplicateOf === null ? null : 1,
    cleanedAt: arrived.crawledAt + 1000,
  };
}

export function indexUpdated(shardId: string, appliedOffset: number): IndexUpdated {
  return {
    shardId,
    partitions: [{ topic: null, partition: 0, offset: appliedOffset }],
    ops: { added: 1, replaced: 0, deleted: 0, skipped: 0 },
    vectorCount: 2,
    snapshotVersion: 1,
    sealed: false,
    at: Date.UTC(2025, 5, 1),
  };
}

export const Q1_2025 = Date.UTC(2025, 0, 1);
export const Q2_2025 = Date.UTC(2025, 3, 1);
export const Q1_2024 = Date.UTC(2024, 0, 1);
