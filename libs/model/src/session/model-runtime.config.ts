import { z } from 'zod';
import { env } from '@stylestream/config';

export const EXECUTION_PROVIDERS = ['cpu', 'cuda'] as const;
export type ExecutionProvider = (typeof EXECUTION_PROVIDERS)[number];

/** How to open a model: which one, from where, on which execution providers, with how many threads. */
export interface ModelRuntimeOptions {
  modelsDir: string;
  modelId: string;
  /** In order of preference; `cpu` is always appended as the last resort. */
  executionProviders: ExecutionProvider[];
  /** Threads inside one operator (0 lets onnxruntime choose, one per core). */
  intraOpThreads: number;
  /** Threads across independent operators (1: run the graph sequentially). */
  interOpThreads: number;
  /**
   * Whether onnxruntime's pool threads busy-wait for work between operators (its own
   * default, and the default here: measured with the extractor benchmark on 2 cores, the
   * app reached 0.84–0.86 of the bare loop with it and 0.59–0.73 without). Off hands
   * the cores back between operators, for processes where other work must not wait.
   */
  spinWait?: boolean;
  /**
   * Batch shapes the session runs: a batch of n images is zero-padded to the smallest shape
   * ≥ n (larger batches run as they are), and each shape runs once when the model opens.
   * For CUDA, whose cuDNN searches the convolution algorithms again for every new input
   * shape (seconds each, measured on an H200), so a dynamic batcher's sizes 1..max would
   * each pay it mid-stream. `undefined`: powers of two up to `maxBatchSize`, and
   * `maxBatchSize` itself, when the session runs on cuda; none on cpu (padding there costs
   * its share of compute). `[]`: never pad.
   */
  batchShapes?: number[];
  /** The largest batch the caller runs (the extractor's EXTRACTOR_MAX_BATCH_SIZE); 32 when unset. */
  maxBatchSize?: number;
}

/**
 * Environment variables of the model runtime, to merge into an app's config schema:
 * MODEL_ID, MODEL_DIR, MODEL_EXECUTION_PROVIDERS (csv of cpu,cuda),
 * MODEL_INTRA_OP_THREADS, MODEL_INTER_OP_THREADS, MODEL_SPIN_WAIT, MODEL_BATCH_SHAPES
 * (csv of batch sizes; unset: the provider's default, see `batchShapes`; `none`: never pad).
 */
export const modelRuntimeEnvSchema = z.object({
  MODEL_ID: z.string().min(1).default('mobilenet-v2-nsfwjs'),
  MODEL_DIR: z.string().min(1).default('models'),
  MODEL_EXECUTION_PROVIDERS: env.csv('cpu').pipe(z.array(z.enum(EXECUTION_PROVIDERS))),
  MODEL_INTRA_OP_THREADS: env.int(0),
  MODEL_INTER_OP_THREADS: env.int(1, 1),
  MODEL_SPIN_WAIT: env.bool(true),
  MODEL_BATCH_SHAPES: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return undefined;
      if (v.trim() === 'none') return [];
      const shapes = v.split(',').map((x) => Number(x.trim()));
      if (shapes.some((x) => !Number.isInteger(x) || x < 1)) {
        ctx.addIssue({ code: 'custom', message: `expected positive integers separated by commas, or "none"; got "${v}"` });
        return z.NEVER;
      }
      return [...new Set(shapes)].sort((a, b) => a - b);
    }),
});

/** The batch shapes a session on `providers` pads to when none were configured (see `batchShapes`). */
export function defaultBatchShapes(providers: readonly ExecutionProvider[], maxBatchSize = 32): number[] {
  if (!providers.includes('cuda')) return [];
  const shapes: number[] = [];
  for (let b = 1; b < maxBatchSize; b *= 2) shapes.push(b);
  return [...shapes, maxBatchSize];
}

export function modelRuntimeOptionsFrom(config: z.infer<typeof modelRuntimeEnvSchema>): ModelRuntimeOptions {
  return {
    modelsDir: config.MODEL_DIR,
    modelId: config.MODEL_ID,
    executionProviders: config.MODEL_EXECUTION_PROVIDERS,
    intraOpThreads: config.MODEL_INTRA_OP_THREADS,
    interOpThreads: config.MODEL_INTER_OP_THREADS,
    spinWait: config.MODEL_SPIN_WAIT,
    batchShapes: config.MODEL_BATCH_SHAPES,
  };
}
