import type { ModelEmbedder } from '../session/model-embedder';
import type { PreparedImage } from './image-decoder.port';
import { writeImageIntoBatch } from './image-tensor';

/**
 * Embeds images already decoded for the embedder's manifest (see ImageDecoder):
 * fills one input batch and runs the model once. Resolves to `images.length`
 * rows of `embedder.dim` floats, L2-normalised when the manifest says so.
 * The extractor and the search API share this path, so a query image is
 * vectorised exactly like an indexed one.
 */
export async function embedPreparedImages(embedder: ModelEmbedder, images: readonly PreparedImage[]): Promise<Float32Array> {
  const batch = new Float32Array(images.length * embedder.inputSize);
  images.forEach((image, i) => writeImageIntoBatch(image.rgb, batch, i, embedder.manifest.input));
  return embedder.embed(batch, images.length);
}

