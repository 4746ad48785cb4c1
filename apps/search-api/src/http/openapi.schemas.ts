import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { IMAGE_SOURCES, LABEL_DIMENSIONS } from '@stylestream/schemas';

export const errorSchema: SchemaObject = {
  type: 'object',
  required: ['error'],
  properties: { error: { type: 'string', example: 'invalid_parameter' }, reason: { type: 'string', example: 'parameter "k": must be an integer between 1 and 10000' }, retriable: { type: 'boolean' } },
};

const stringList = { type: 'array', items: { type: 'string' } };

export const filterSchema: SchemaObject = {
  type: 'object',
  description: 'Values within one condition are OR-ed, conditions AND-ed; only live catalogue images match.',
  additionalProperties: false,
  properties: {
    labels: { type: 'object', additionalProperties: false, properties: Object.fromEntries(LABEL_DIMENSIONS.map((d) => [d, stringList])) },
    source: { type: 'array', items: { type: 'string', enum: [...IMAGE_SOURCES] } },
    bloggerIds: stringList,
    publishedFrom: { oneOf: [{ type: 'string', format: 'date-time' }, { type: 'integer' }], description: 'inclusive; ISO-8601 or ms since the epoch' },
    publishedTo: { oneOf: [{ type: 'string', format: 'date-time' }, { type: 'integer' }], description: 'inclusive' },
    excludeDuplicates: { type: 'boolean' },
    text: { type: 'string', description: 'every word in the title (selective filters only)' },
  },
};

const options = {
  k: { type: 'integer', minimum: 1, description: 'hits per page (default 10, at most SEARCH_MAX_K = 10,000); page on with nextCursor' },
  ef: { type: 'integer', minimum: 1, description: 'HNSW candidate list at the owners: higher = better recall, slower' },
  modelVersion: { type: 'string', description: 'index version to search (default: the active model)' },
  filter: filterSchema,
  excludeDuplicates: { type: 'boolean', description: 'shorthand for filter.excludeDuplicates' },
};

export const vectorSearchBodySchema: SchemaObject = {
  oneOf: [
    { type: 'object', required: ['vector'], properties: { vector: { type: 'array', items: { type: 'number' }, description: 'SEARCH_DIM numbers; normalised by the API' }, ...options } },
    { type: 'object', required: ['cursor'], properties: { cursor: { type: 'string', description: 'nextCursor of any earlier search page' } }, additionalProperties: false },
  ],
};

export const imageSearchJsonSchema: SchemaObject = { type: 'object', required: ['url'], properties: { url: { type: 'string', format: 'uri' }, ...options } };

export const imageSearchMultipartSchema: SchemaObject = {
  type: 'object',
  required: ['image'],
  properties: {
    image: { type: 'string', format: 'binary', description: 'the query image (SEARCH_UPLOAD_CONTENT_TYPES, at most SEARCH_UPLOAD_MAX_BYTES and SEARCH_UPLOAD_MAX_PIXELS)' },
    k: { type: 'integer' },
    ef: { type: 'integer' },
    modelVersion: { type: 'string' },
    filter: { type: 'string', description: 'the filter object as JSON' },
    excludeDuplicates: { type: 'boolean' },
  },
};

/** Display facts, present only when the catalogue knows the image (and answered). */
const factProperties = {
    uri: { type: 'string', nullable: true },
    source: { type: 'string', nullable: true },
    bloggerId: { type: 'string', nullable: true },
    publishedAt: { type: 'string', format: 'date-time', nullable: true },
    labels: { type: 'object', properties: Object.fromEntries(LABEL_DIMENSIONS.map((d) => [d, stringList])) },
    dedupeStatus: { type: 'string', nullable: true },
    duplicateOf: { type: 'string', nullable: true },
};

/** On a hit put first by the near-duplicate lookup of an image search. */
const nearDuplicateHitSchema: SchemaObject = {
  type: 'object',
  description: 'present on hits promoted as near-duplicates of the query image (image search, first page): they come first, ordered by hash distance, and keep their cosine as score',
  required: ['hashDistance', 'hashBits'],
  properties: {
    hashDistance: { type: 'integer', description: 'crop-aware Hamming distance between the perceptual hashes of the query image and this image' },
    hashBits: { type: 'integer', enum: [64, 256], description: 'bits of the hashes compared (256: fine hashes)' },
  },
};

const nearDuplicatesReportSchema: SchemaObject = {
  type: 'object',
  description: 'image searches only: what the near-duplicate lookup did',
  required: ['status', 'candidates', 'promoted'],
  properties: {
    status: { type: 'string', enum: ['checked', 'skipped', 'unavailable'], description: 'unavailable: the catalogue (or the scoring of candidates) failed; the hits are the vector ranking only' },
    candidates: { type: 'integer', description: 'band candidates read from the catalogue' },
    promoted: { type: 'integer', description: 'hits put first as near-duplicates' },
    reason: { type: 'string' },
  },
};

export const searchResultSchema: SchemaObject = {
  type: 'object',
  properties: {
    hits: { type: 'array', items: { type: 'object', required: ['id', 'score'], properties: { id: { type: 'string' }, score: { type: 'number', description: 'cosine similarity' }, nearDuplicate: nearDuplicateHitSchema, ...factProperties } } },
    coverage: {
      type: 'object',
      properties: {
        shards: { type: 'integer' },
        answered: { type: 'integer' },
        timedOut: { type: 'integer' },
        failed: { type: 'integer' },
        owners: { type: 'object', properties: { total: { type: 'integer' }, answered: { type: 'integer' } } },
        missing: { type: 'array', items: { type: 'object', properties: { owner: { type: 'string' }, shards: stringList, reason: { type: 'string', enum: ['deadline', 'error'] }, detail: { type: 'string' } } } },
      },
    },
    modelVersion: { type: 'string', nullable: true, description: 'the index (model) version searched: the one asked, else the active one (model registry, SEARCH_MODEL_VERSION or the loaded model)' },
    partial: { type: 'boolean', description: 'true when any owner missed its deadline or failed: `coverage.missing` names the missing shards' },
    strategy: { type: 'object', properties: { name: { type: 'string', enum: ['unfiltered', 'candidates', 'post-filter', 'no-match'] }, matching: { type: 'integer' }, selectivity: { type: 'number' }, fetchK: { type: 'integer' }, ef: { type: 'integer' }, rounds: { type: 'integer' } } },
    factsUnavailable: { type: 'string', description: 'why hits carry no facts (catalogue unavailable)' },
    nearDuplicates: nearDuplicatesReportSchema,
    nextCursor: { type: 'string', nullable: true },
    tookMs: { type: 'number', description: 'server-side time' },
  },
};
