import { z } from 'zod';
import { IMAGE_SOURCES, LABEL_DIMENSIONS, type LabelDimension } from './image-arrived';
import { IMAGE_ID_PATTERN, IMAGE_URI_PATTERN, normalizeImageUri } from './image-id';

/**
 * Holds a character that String#trim keeps (its whitespace set spelt out, so
 * the OpenAPI pattern means the same in every regex dialect): with it the
 * published schema rejects blank strings exactly like trim().min(1) does.
 */
const NOT_BLANK = /[^\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/;
const labelValue = z.string().regex(NOT_BLANK, { message: 'must not be blank', abort: true }).trim().min(1).max(100);
const labelValues = z.union([labelValue, z.array(labelValue).max(50)]);

const labelsShape = Object.fromEntries(LABEL_DIMENSIONS.map((d) => [d, labelValues.optional()])) as Record<
  LabelDimension,
  z.ZodOptional<typeof labelValues>
>;

/** Epoch milliseconds, or an ISO-8601 date-time with offset. */
const timestamp = z.union([
  z.number().int().min(0, 'must be epoch milliseconds >= 0').max(253_402_300_799_999, 'must be before the year 10000'),
  z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time (e.g. 2024-05-01T12:00:00Z) or epoch milliseconds' }),
]);

// Building a zod schema costs milliseconds; parsing with a built one, microseconds. One per default source.
const submissionSchemas = new Map<string, ReturnType<typeof buildSubmissionSchema>>();

/**
 * One image as a crawler submits it (HTTP body item or JSONL line). Unknown
 * keys are rejected so a misspelt field is reported, not silently dropped.
 */
export function imageSubmissionSchema(options: { defaultSource?: (typeof IMAGE_SOURCES)[number] } = {}) {
  const cacheKey = options.defaultSource ?? '';
  let schema = submissionSchemas.get(cacheKey);
  if (schema === undefined) {
    schema = buildSubmissionSchema(options.defaultSource);
    submissionSchemas.set(cacheKey, schema);
  }
  return schema;
}

function buildSubmissionSchema(defaultSource: (typeof IMAGE_SOURCES)[number] | undefined) {
  const source = z.enum(IMAGE_SOURCES);
  return z
    .object({
      imageId: z.string().regex(IMAGE_ID_PATTERN, 'must be 1-128 characters of A-Z a-z 0-9 . _ : - starting with a letter or digit').optional(),
      uri: z
        .string()
        .max(4096)
        // The pattern is the published syntax (OpenAPI); abort keeps one issue per bad uri.
        .regex(IMAGE_URI_PATTERN, { message: 'must be an absolute http(s) or file URL', abort: true })
        .refine((u) => normalizeImageUri(u) !== undefined, 'must be an absolute http(s) or file URL'),
      source: defaultSource === undefined ? source : source.default(defaultSource),
      bloggerId: z.string().regex(NOT_BLANK, { message: 'must not be blank', abort: true }).trim().min(1).max(256).optional(),
      publishedAt: timestamp.optional(),
      title: z.string().max(2000).optional(),
      labels: z.strictObject(labelsShape).optional(),
      contentSha256: z
        .string()
        .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex digits (SHA-256)')
        .optional(),
      attributes: z.record(z.string().min(1).max(256), z.string().max(4096)).optional(),
    })
    .strict();
}

export type ImageSubmission = z.infer<ReturnType<typeof buildSubmissionSchema>>;

/** The HTTP batch body: `{ images: [...] }`, 1..maxBatch items. */
export function imageBatchSchema(maxBatch: number, options: { defaultSource?: (typeof IMAGE_SOURCES)[number] } = {}) {
  return z
    .object({
      images: z
        .array(imageSubmissionSchema(options))
        .min(1, 'must hold at least one image')
        .max(maxBatch, `must hold at most ${maxBatch} images (INGEST_MAX_BATCH)`),
    })
    .strict();
}
