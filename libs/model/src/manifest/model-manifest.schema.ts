import { z } from 'zod';

const rgbTriple = z.tuple([z.number(), z.number(), z.number()]);
const modelId = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, ".", "_" or "-"');
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, '64 lower-case hex digits');

/**
 * A learned head applied after the backbone output (and its normalisation):
 * `y = W (x - mean)`, then `normalisation`. `file` (in the model's folder) is float32
 * little-endian: `inputDim` means, then `outputDim` rows of `inputDim` weights; the
 * loader refuses a file whose size or SHA-256 differs from the manifest.
 */
export const projectionSchema = z
  .object({
    file: z.string().regex(/^[A-Za-z0-9._-]+$/, 'a file name in the model folder').refine((f) => !f.startsWith('.'), 'a file name in the model folder'),
    sha256,
    inputDim: z.number().int().positive(),
    outputDim: z.number().int().positive(),
    normalisation: z.enum(['l2', 'none']),
    /** How it was learned (provenance for people; not read by code). */
    training: z
      .object({
        method: z.string().min(1),
        source: z.string().min(1),
        images: z.number().int().nonnegative(),
        classes: z.array(z.string()),
        /** 1-NN accuracy on the held-out part of the training folders, in [0, 1]. */
        heldOutNearestNeighbourAccuracy: z.number().min(0).max(1),
      })
      .strict()
      .optional(),
  })
  .strict();

export type ProjectionSpec = z.infer<typeof projectionSchema>;

/**
 * `models/<id>/manifest.json`: everything a consumer needs to feed the ONNX file and
 * read its output. Preprocessing is `((pixel * pixelScale) - mean[c]) / std[c]` per
 * channel, in `colourOrder`, after resizing per `resize` to `width`×`height`.
 */
export const modelManifestSchema = z
  .object({
    id: modelId,
    version: z.string().min(1),
    file: z.string().min(1).default('model.onnx'),
    /** The ONNX file is `models/<backbone>/<file>` (another model's, e.g. a head over the default backbone); absent: this model's folder. */
    backbone: modelId.optional(),
    input: z.object({
      name: z.string().min(1),
      layout: z.enum(['NHWC', 'NCHW']),
      width: z.number().int().positive(),
      height: z.number().int().positive(),
      channels: z.literal(3),
      colourOrder: z.enum(['RGB', 'BGR']),
      /** `stretch`: resize to width×height ignoring aspect; `centre-crop`: scale the shorter side, crop the centre. */
      resize: z.enum(['stretch', 'centre-crop']),
      interpolation: z.enum(['bilinear', 'nearest', 'cubic']),
      pixelScale: z.number().positive(),
      mean: rgbTriple,
      std: rgbTriple.refine((s) => s.every((v) => v > 0), 'every std must be > 0'),
    }),
    output: z.object({
      name: z.string().min(1),
      dim: z.number().int().positive(),
      normalisation: z.enum(['l2', 'none']),
    }),
    /** A learned head after the output; `null`: the output is the embedding. */
    projection: projectionSchema.nullable().default(null),
    /** How the ONNX file was produced; `model:build` compares `sourceSha256` and `onnxSha256` to decide whether to rebuild. */
    build: z
      .object({
        source: z.string(),
        sourceSha256: z.string().regex(/^[0-9a-f]{64}$/),
        converterVersion: z.number().int(),
        onnxSha256: z.string().regex(/^[0-9a-f]{64}$/),
      })
      .optional(),
  })
  .strict()
  .superRefine((m, ctx) => {
    if (m.projection !== null && m.projection.inputDim !== m.output.dim) {
      ctx.addIssue({ code: 'custom', path: ['projection', 'inputDim'], message: `must equal output.dim (${m.output.dim}), got ${m.projection.inputDim}` });
    }
  });

export type ModelManifest = z.infer<typeof modelManifestSchema>;

/** The dim of the embeddings the model produces: the projection's output when there is one. */
export function embeddingDim(m: ModelManifest): number {
  return m.projection === null ? m.output.dim : m.projection.outputDim;
}

/** Expected ONNX dims of the input: batch is symbolic (any string) or a number. */
export function expectedInputDims(m: ModelManifest): number[] {
  const { width, height, channels } = m.input;
  return m.input.layout === 'NHWC' ? [height, width, channels] : [channels, height, width];
}
