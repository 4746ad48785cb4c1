import type { ModelManifest } from '../manifest/model-manifest.schema';
import type { ModelEmbedder } from '../session/model-embedder';

/** RGB pixels sized for the model input (3 bytes per pixel, row-major). */
export interface ModelPixels {
  readonly rgb: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/**
 * The image preprocessing of the serving path, injected so training and benchmarks
 * use exactly what the extractor uses: `decode` turns file bytes into pixels resized
 * per the manifest input; `write` puts pixels into slot `index` of an input batch
 * (layout, colour order, scale, mean/std).
 */
export interface ModelPreprocessing {
  decode(bytes: Buffer, input: ModelManifest['input']): Promise<ModelPixels>;
  write(rgb: Uint8Array, batch: Float32Array, index: number, input: ModelManifest['input']): void;
}

export interface BackboneFeatureOptions {
  readonly batchSize: number;
  /** Called with every decoded image (e.g. to compute its perceptual hash). */
  readonly onPixels?: (index: number, pixels: ModelPixels) => void;
  /** Called after each batch with the number of images done. */
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Runs `count` images (bytes from `bytesOf(i)`) through the model's backbone and
 * returns `count × output.dim` features, normalised as the manifest's output says and
 * not projected (`embedder.project` turns them into embeddings). The next batch is
 * decoded while the current one runs in onnxruntime.
 */
export async function extractBackboneFeatures(
  embedder: Pick<ModelEmbedder, 'manifest' | 'inputSize' | 'backbone'>,
  count: number,
  bytesOf: (index: number) => Promise<Buffer>,
  preprocessing: ModelPreprocessing,
  options: BackboneFeatureOptions,
): Promise<Float32Array> {
  const { input, output } = embedder.manifest;
  const features = new Float32Array(count * output.dim);
  const prepareBatch = async (start: number): Promise<{ start: number; n: number; batch: Float32Array }> => {
    const n = Math.min(options.batchSize, count - start);
    const batch = new Float32Array(n * embedder.inputSize);
    await Promise.all(
      Array.from({ length: n }, async (_, j) => {
        const pixels = await preprocessing.decode(await bytesOf(start + j), input);
        options.onPixels?.(start + j, pixels);
        preprocessing.write(pixels.rgb, batch, j, input);
      }),
    );
    return { start, n, batch };
  };
  let next = count > 0 ? prepareBatch(0) : undefined;
  while (next !== undefined) {
    const { start, n, batch } = await next;
    next = start + n < count ? prepareBatch(start + n) : undefined;
    next?.catch(() => undefined); // awaited in the next turn; this only stops an early rejection from counting as unhandled
    features.set(await embedder.backbone(batch, n), start * output.dim);
    options.onProgress?.(start + n, count);
  }
  return features;
}
