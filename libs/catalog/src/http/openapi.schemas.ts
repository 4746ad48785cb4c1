import { LABEL_DIMENSIONS } from '@stylestream/schemas';

export const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: { error: { type: 'string', example: 'invalid_query_parameter' }, reason: { type: 'string' }, retriable: { type: 'boolean' } },
};

const bucketList = { type: 'array', items: { type: 'object', properties: { value: { type: 'string' }, count: { type: 'integer' } } } };

export const searchResultSchema = {
  type: 'object',
  properties: {
    total: { type: 'integer' },
    from: { type: 'integer' },
    size: { type: 'integer' },
    images: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          imageId: { type: 'string' },
          uri: { type: 'string', nullable: true },
          source: { type: 'string', nullable: true },
          bloggerId: { type: 'string', nullable: true },
          publishedAt: { type: 'string', format: 'date-time', nullable: true },
          crawledAt: { type: 'string', format: 'date-time', nullable: true },
          title: { type: 'string', nullable: true },
          labels: { type: 'object', properties: Object.fromEntries(LABEL_DIMENSIONS.map((d) => [d, { type: 'array', items: { type: 'string' } }])) },
          dedupe: { type: 'object', nullable: true, properties: { status: { type: 'string' }, duplicateOf: { type: 'string', nullable: true } } },
        },
      },
    },
    facets: { type: 'object', properties: Object.fromEntries(LABEL_DIMENSIONS.map((d) => [d, bucketList])) },
    nextCursor: { type: 'string', nullable: true, description: 'Pass as cursor (same filters) for the next page; null on the last page' },
  },
};
