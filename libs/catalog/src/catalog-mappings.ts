import { LABEL_DIMENSIONS } from '@stylestream/schemas';

const keyword = { type: 'keyword' } as const;
const long = { type: 'long' } as const;
/** Read back from doc values, never searched: no inverted index. */
const storedKeyword = { type: 'keyword', index: false } as const;
const date = { type: 'date', format: 'epoch_millis' } as const;

/**
 * Mapping of the images index. `dynamic: strict`: a field the code does not
 * know is a bug and is rejected (400) instead of silently growing the mapping.
 * Label keywords have no ignore_above on purpose: an over-long term (> 32766
 * bytes) is rejected per document and dead-lettered with ES's reason rather
 * than stored unsearchable.
 */
export const imagesMapping = {
  dynamic: 'strict',
  properties: {
    imageId: keyword,
    state: keyword,
    uri: { type: 'keyword', index: false },
    source: keyword,
    bloggerId: keyword,
    publishedAt: date,
    crawledAt: date,
    title: { type: 'text' },
    labels: { properties: Object.fromEntries(LABEL_DIMENSIONS.map((d) => [d, keyword])) },
    dedupe: {
      properties: {
        status: keyword,
        duplicateOf: keyword,
        similarity: { type: 'float' },
        cleanedAt: date,
        partition: { type: 'integer' },
        offset: long,
      },
    },
    nearHashes: {
      properties: {
        bands: keyword,
        cropBands: keyword,
        perceptualHash: storedKeyword,
        cropHashes: storedKeyword,
        fineHash: storedKeyword,
        fineCropHashes: storedKeyword,
      },
    },
    guards: { properties: { imageArrived: long, vectorCleaned: long } },
  },
} as const;

/** Mapping of the shards index (progress of the vector index, from index-updated). */
export const shardsMapping = {
  dynamic: 'strict',
  properties: {
    shardId: keyword,
    snapshotVersion: long,
    vectorCount: long,
    sealed: { type: 'boolean' },
    at: date,
    partitions: { properties: { topic: keyword, partition: { type: 'integer' }, offset: long } },
    ops: { properties: { added: long, replaced: long, deleted: long, skipped: long } },
  },
} as const;
