import { z } from 'zod';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { imageSubmissionSchema } from '../domain/image-submission.schema';

/**
 * OpenAPI schemas derived from the zod validators, so /docs cannot drift from
 * validation, with two adjustments that keep the document meaning exactly
 * what the validators do when read by a client in another language:
 * - `\d` becomes `[0-9]`: JavaScript's `\d` is ASCII-only, Python's and
 *   others' match every Unicode digit;
 * - `attributes` keys get `propertyNames` (1..256 characters), which the
 *   openapi-3.0 conversion drops, and the empty key is declared impossible.
 */
const image = withAsciiDigits(withAttributeKeyRule(z.toJSONSchema(imageSubmissionSchema(), { target: 'openapi-3.0', io: 'input', unrepresentable: 'any' }) as SchemaObject));

function withAttributeKeyRule(schema: SchemaObject): SchemaObject {
  const attributes = schema.properties?.attributes as SchemaObject | undefined;
  if (attributes === undefined) return schema;
  // OpenAPI 3.0 has no propertyNames (kept for 3.1 readers); the empty key is ruled out with a schema nothing matches.
  const keyed = { ...attributes, properties: { '': { not: {} } }, propertyNames: { minLength: 1, maxLength: 256 } } as SchemaObject;
  return { ...schema, properties: { ...schema.properties, attributes: keyed } };
}

function withAsciiDigits<T>(node: T): T {
  if (Array.isArray(node)) return node.map((item: unknown) => withAsciiDigits(item)) as T;
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    out[key] = key === 'pattern' && typeof value === 'string' ? value.replace(/\\d/g, '[0-9]') : withAsciiDigits(value);
  }
  return out as T;
}

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
