import { z } from 'zod';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { imageSubmissionSchema } from '../domain/image-submission.schema';

/** OpenAPI schemas derived from the zod validators, so /docs cannot drift from validation. */
const image = z.toJSONSchema(imageSubmissionSchema(), { target: 'openapi-3.0', io: 'input', unrepresentable: 'any' }) as SchemaObject;

export const submitBodySchema: SchemaObject = {
  oneOf: [
    image,
    { type: 'object', required: ['images'], properties: { images: { type: 'array', minItems: 1, items: image } }, additionalProperties: false },
  ],
};

const receipt: SchemaObject = {
  type: 'object',
  properties: {
    imageId: { type: 'string' },
    topic: { type: 'string' },
    partition: { type: 'integer' },
    offset: { type: 'string', description: 'int64 as a decimal string' },
  },
};

export const acceptedSchema: SchemaObject = {
  type: 'object',
  properties: { accepted: { type: 'integer' }, images: { type: 'array', items: receipt } },
};

export const tombstoneSchema: SchemaObject = {
  ...receipt,
  properties: { ...receipt.properties, tombstone: { type: 'boolean', enum: [true] } },
};

export const errorSchema: SchemaObject = {
  type: 'object',
  properties: {
    error: { type: 'string', example: 'validation_failed' },
    reason: { type: 'string' },
    issues: {
      type: 'array',
      items: { type: 'object', properties: { path: { type: 'string', example: 'images.3.source' }, message: { type: 'string' } } },
    },
  },
};
