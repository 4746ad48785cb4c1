import { z } from 'zod';

const rgbTriple = z.tuple([z.number(), z.number(), z.number()]);

/**
 * `models/<id>/manifest.json`: everything a consumer needs to feed the ONNX file and
 * read its output. Preprocessing is `((pixel * pixelScale) - mean[c]) / std[c]` per
 * channel, in `colourOrder`, after resizing per `resize` to `width`×`height`.
 */
export const modelManifestSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, ".", "_" or "-"'),
    version: z.string().min(1),
    file: z.string().min(1).default('model.onnx'),
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
    /** A learned projection applied after the output (issue 3 item 3); none yet. */
    projection: z.null().default(null),
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
  .strict();

export type ModelManifest = z.infer<typeof modelManifestSchema>;

/** Expected ONNX dims of the input: batch is symbolic (any string) or a number. */
export function expectedInputDims(m: ModelManifest): number[] {
  const { width, height, channels } = m.input;
  return m.input.layout === 'NHWC' ? [height, width, channels] : [channels, height, width];
}
