import { SharpImageDecoder } from '../preprocess/sharp-image.decoder';
import { writeImageIntoBatch } from '../preprocess/image-tensor';
import type { ModelPreprocessing } from '../train/backbone-features';

/** Largest source image the offline tools decode (width × height). */
const MAX_PIXELS = 100_000_000;

/**
 * The serving path's decoder and tensor writer (the ones the extractor and the search
 * API use), wired for the offline tools (`model:train`, the quality and dedupe
 * benchmarks). A head learned on features preprocessed any other way would be learned
 * for an input it never serves.
 */
export function extractorPreprocessing(): ModelPreprocessing {
  const decoder = new SharpImageDecoder(MAX_PIXELS);
  return {
    decode: (bytes, input) => decoder.prepare(bytes, input),
    write: writeImageIntoBatch,
  };
}
