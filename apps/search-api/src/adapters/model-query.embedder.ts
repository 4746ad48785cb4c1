import { type ImageDecoder, type ModelEmbedder, embedPreparedImages } from '@stylestream/model';
import { imageHashes } from '@stylestream/near-duplicate';
import type { QueryEmbedder, QueryEmbedding } from '../domain/query-embedder.port';

/** QueryEmbedder over @stylestream/model: the extractor's decoder, embedding path and image hashes, one image per call. */
export class ModelQueryEmbedder implements QueryEmbedder {
  constructor(
    private readonly embedder: ModelEmbedder,
    private readonly decoder: ImageDecoder,
  ) {}

  get modelVersion(): string {
    return this.embedder.manifest.version;
  }

  get dim(): number {
    return this.embedder.dim;
  }

  async embed(bytes: Buffer): Promise<QueryEmbedding> {
    const image = await this.decoder.prepare(bytes, this.embedder.manifest.input);
    const rows = await embedPreparedImages(this.embedder, [image]);
    return { vector: Array.from(rows.subarray(0, this.embedder.dim)), modelVersion: this.modelVersion, hashes: imageHashes(image.rgb, image.width, image.height) };
  }

  async close(): Promise<void> {
    await this.embedder.release();
  }
}
