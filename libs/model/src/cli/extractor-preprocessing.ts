import { SharpImageDecoder } from '../../../../apps/extractor/src/sharp-image.decoder';
import { writeImageIntoBatch } from '../../../../apps/extractor/src/image-tensor';
import type { ModelPreprocessing } from '../train/backbone-features';

/** Largest source image the offline tools decode (width × height). */
const MAX_PIXELS = 100_000_000;

/**
 * The extractor's own decoder and tensor writer, wired for the offline tools
 * (`model:train`, the quality and dedupe benchmarks). A head learned on features
 * preprocessed any other way would be learned for a different input than the one it
 * serves, so this composition root imports the extractor's adapters rather than a copy.
 */
export function extractorPreprocessing(): ModelPreprocessing {
  const decoder = new SharpImageDecoder(MAX_PIXELS);
  return {
    decode: (bytes, input) => decoder.prepare(bytes, input),
    write: writeImageIntoBatch,
  };
}
