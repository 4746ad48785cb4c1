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
 * A descriptor composed inside the ONNX graph from the backbone's output and its own
 * input, appended to the backbone graph when the model loads (convert/descriptor-graph.ts):
 * `[ w_f · n(|f|^p · sign f) ‖ w_t · n(thumbnail) ]` with `n(v) = v / √(Σv² + 1e-12)`.
 * `thumbnail` is the preprocessed input tensor average-pooled to `size`×`size` (per
 * channel, or the channel mean for `grey`), minus its own mean per channel when `centre`.
 * With `features.pool: 'spatial-mean'` the features block reads an intermediate tensor of the
 * backbone (NCHW, any node's output) averaged over its spatial axes: mid-level layers of a
 * network fine-tuned for another task keep more general features than its last one. The
 * thumbnail block is optional. The graph output (manifest `output`) is the descriptor,
 * `features.dim (+ channels·size²)` wide.
 */
export const descriptorSchema = z
  .object({
    /** The backbone graph's output the features block reads, or (with `pool`) any of its node outputs. */
    features: z
      .object({
        name: z.string().min(1),
        dim: z.number().int().positive(),
        /** Signed power p (0.5: signed square root); 1 leaves the values as they are. */
        power: z.number().positive().max(1),
        weight: z.number().positive(),
        /** `spatial-mean`: the named tensor is NCHW and averaged over H and W (`dim` = its channels). */
        pool: z.enum(['spatial-mean']).optional(),
      })
      .strict(),
    thumbnail: z
      .object({
        size: z.number().int().positive(),
        colour: z.enum(['rgb', 'grey']),
        centre: z.boolean(),
        weight: z.number().positive(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type DescriptorSpec = z.infer<typeof descriptorSchema>;

/** Floats in the descriptor: the features plus the thumbnail's channels × size² (when there is one). */
export function descriptorDim(d: DescriptorSpec): number {
  return d.features.dim + thumbnailDim(d);
}

/** Floats of the thumbnail block: 0 without one. */
export function thumbnailDim(d: DescriptorSpec): number {
  return d.thumbnail === undefined ? 0 : (d.thumbnail.colour === 'rgb' ? 3 : 1) * d.thumbnail.size ** 2;
}

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
    /** Graph-side descriptor appended to the backbone graph at load; `output` then names the descriptor. */
    descriptor: descriptorSchema.optional(),
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
    if (m.descriptor !== undefined) {
      const d = m.descriptor;
      if (m.backbone === undefined) ctx.addIssue({ code: 'custom', path: ['backbone'], message: 'a descriptor is appended to a backbone model: name it' });
      if (m.build === undefined) ctx.addIssue({ code: 'custom', path: ['build'], message: 'a descriptor model records the SHA-256 of its composed graph in build.onnxSha256' });
      if (m.output.dim !== descriptorDim(d)) ctx.addIssue({ code: 'custom', path: ['output', 'dim'], message: `must equal the descriptor's width (${descriptorDim(d)}), got ${m.output.dim}` });
      if (m.output.normalisation !== 'none') ctx.addIssue({ code: 'custom', path: ['output', 'normalisation'], message: 'must be "none": the descriptor normalises its blocks itself' });
      if (m.output.name === d.features.name) ctx.addIssue({ code: 'custom', path: ['output', 'name'], message: `must differ from the backbone output it reads ("${d.features.name}")` });
      if (d.thumbnail !== undefined && (m.input.width % d.thumbnail.size !== 0 || m.input.height % d.thumbnail.size !== 0)) {
        ctx.addIssue({ code: 'custom', path: ['descriptor', 'thumbnail', 'size'], message: `must divide the input ${m.input.width}×${m.input.height}, got ${d.thumbnail.size}` });
      }
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
