import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { StyleStreamError, isRetriable, reasonOf } from '@stylestream/errors';
import { type ConsumedMessage, type HandlerOutcome, type OutgoingRecord, Outcome } from '@stylestream/kafka';
import type { ModelEmbedder } from '@stylestream/model';
import { vectorToBytes, type ImageArrived, type VectorExtracted } from '@stylestream/schemas';
import type { ImageFetcher } from '@stylestream/storage';
import type { ImageDecoder, PreparedImage } from './image-decoder.port';
import { writeImageIntoBatch } from './image-tensor';
import type { ExtractorMetrics } from './extractor.metrics';
import { differenceHash } from './perceptual-hash';
import type { VectorExtractedSink } from './vector-extracted.sink';

/** The part of ModelEmbedder the extractor uses (a fake in unit tests). */
export type ImageEmbedder = Pick<ModelEmbedder, 'manifest' | 'inputSize' | 'dim' | 'embed'>;

export interface ExtractorServiceDeps {
  readonly fetcher: ImageFetcher;
  readonly decoder: ImageDecoder;
  readonly embedder: ImageEmbedder;
  readonly sink: VectorExtractedSink;
  readonly metrics: ExtractorMetrics;
  readonly logger: Logger;
  /** Fetches + decodes running at once within a batch. */
  readonly prepareConcurrency: number;
  readonly now?: () => number;
}

interface Prepared {
  readonly image: PreparedImage;
  readonly contentSha256: string;
}

/**
 * image-arrived → vector-extracted for one partition batch (a stageBatchRoute handler):
 * fetch and decode each image (bounded concurrency), run the model once over every
 * image that decoded, publish one record per message in offset order (a tombstone
 * as a tombstone), then return one outcome per message. A per-image failure is that
 * message's `failed(error)` (dead-lettered with its own code) and the rest of the batch
 * goes on; a retriable one (unreachable host) ends the call there: later messages get
 * `failed(DeferredBehindRetryError)`, are not published, and come back on redelivery. Output is idempotent per
 * (image id, model version): the same bytes give the same vector, hash and key.
 * A publish failure rejects the whole call (nothing is committed; redelivery rewrites).
 */
export class ExtractorService {
  private readonly now: () => number;

  constructor(private readonly deps: ExtractorServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  async extractBatch(messages: readonly ConsumedMessage<ImageArrived>[]): Promise<HandlerOutcome[]> {
    const { embedder, metrics } = this.deps;
    const prepared = await mapWithConcurrency(messages, this.deps.prepareConcurrency, (m) =>
      m.tombstone ? Promise.resolve(undefined) : this.prepare(m.value).then((p): Prepared | Error => p, (err: unknown) => (err instanceof Error ? err : new Error(String(err)))),
    );
    // The consumer stops its walk at the first message to retry and redelivers from there, so
    // nothing after it is published now (it would be published again on every retry).
    const firstRetry = prepared.findIndex((p) => p instanceof Error && isRetriable(p));
    const cut = firstRetry === -1 ? messages.length : firstRetry + 1;
    const good = prepared.slice(0, cut).flatMap((p, i) => (p !== undefined && !(p instanceof Error) ? [{ index: i, prepared: p }] : []));
    const vectors = good.length > 0 ? await this.embed(good.map((g) => g.prepared.image)) : new Float32Array(0);
    const vectorOf = new Map(good.map((g, row) => [g.index, vectors.subarray(row * embedder.dim, (row + 1) * embedder.dim)]));

    const records: OutgoingRecord<VectorExtracted>[] = [];
    const outcomes = messages.map((m, i): HandlerOutcome => {
      if (i >= cut) return Outcome.failed(new DeferredBehindRetryError(messages[firstRetry].offset));
      const p = prepared[i];
      if (m.tombstone) {
        records.push({ key: m.key, value: null });
        return Outcome.processed();
      }
      if (p === undefined || p instanceof Error) {
        this.deps.logger.warn({ imageId: m.value.imageId, uri: m.value.uri, offset: m.offset, reason: reasonOf(p) }, 'image not extracted');
        return Outcome.failed(p);
      }
      records.push({ key: m.value.imageId, value: this.toRecord(m.value, p, vectorOf.get(i) as Float32Array) });
      return Outcome.processed();
    });
    await this.deps.sink.publish(records);
    for (const [i, o] of outcomes.slice(0, cut).entries()) metrics.countImage(o.kind === 'failed' ? 'failed' : messages[i].tombstone ? 'skipped' : 'extracted');
    return outcomes;
  }

  private async prepare(event: ImageArrived): Promise<Prepared> {
    const bytes = await this.deps.fetcher.fetch(event.uri);
    const contentSha256 = createHash('sha256').update(bytes).digest('hex');
    const image = await this.deps.decoder.prepare(bytes, this.deps.embedder.manifest.input);
    return { image, contentSha256 };
  }

  private async embed(images: readonly PreparedImage[]): Promise<Float32Array> {
    const { embedder } = this.deps;
    const batch = new Float32Array(images.length * embedder.inputSize);
    images.forEach((image, i) => writeImageIntoBatch(image.rgb, batch, i, embedder.manifest.input));
    const started = process.hrtime.bigint();
    const vectors = await embedder.embed(batch, images.length);
    this.deps.metrics.observeInference(embedder.manifest.id, Number(process.hrtime.bigint() - started) / 1e9);
    return vectors;
  }

  private toRecord(event: ImageArrived, p: Prepared, vector: Float32Array): VectorExtracted {
    const { manifest, dim } = this.deps.embedder;
    return {
      imageId: event.imageId,
      uri: event.uri,
      source: event.source,
      bloggerId: event.bloggerId ?? null,
      publishedAt: event.publishedAt,
      labels: event.labels,
      modelId: manifest.id,
      modelVersion: manifest.version,
      dim,
      vector: vectorToBytes(vector),
      contentSha256: p.contentSha256,
      perceptualHash: differenceHash(p.image.rgb, p.image.width, p.image.height),
      width: p.image.sourceWidth,
      height: p.image.sourceHeight,
      extractedAt: this.now(),
    };
  }
}

/** A message after one that will be retried: not handled in this call, redelivered with it. */
export class DeferredBehindRetryError extends StyleStreamError {
  readonly code = 'DEFERRED_BEHIND_RETRY';
  constructor(offset: string) {
    super(`deferred: offset ${offset} before it will be retried first`, { retriable: true });
  }
}

/** Maps `items` with at most `limit` calls in flight; results keep the input order. */
export async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
