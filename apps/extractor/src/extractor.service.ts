import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { StyleStreamError, isRetriable, reasonOf } from '@stylestream/errors';
import { type ConsumedMessage, type HandlerOutcome, type OutgoingRecord, Outcome } from '@stylestream/kafka';
import type { ModelEmbedder } from '@stylestream/model';
import { vectorToBytes, type ImageArrived, type VectorExtracted } from '@stylestream/schemas';
import type { ImageFetcher } from '@stylestream/storage';
import type { ImageDecoder } from './image-decoder.port';
import { ConcurrencyLimit } from './concurrency.limit';
import { EmbeddingBatcher } from './embedding.batcher';
import { writeImageIntoBatch } from './image-tensor';
import type { ExtractorMetrics } from './extractor.metrics';
import { imageHashes } from './perceptual-hash';
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
  /** Fetches + decodes in flight at once, across all handler calls. */
  readonly prepareConcurrency: number;
  /** Dynamic batching of model calls (see EmbeddingBatcher). */
  readonly batching: { readonly maxBatchSize: number; readonly maxWaitMs: number };
  /** Caps images started per second (EXTRACTOR_MAX_RATE, a replay's throttle); none: as fast as the model goes. */
  readonly throttle?: { acquire(): Promise<void> };
  readonly now?: () => number;
}

/** One image ready to publish (its pixels are not kept: only what the record needs). */
interface Extracted {
  readonly sourceWidth: number;
  readonly sourceHeight: number;
  readonly contentSha256: string;
  readonly perceptualHash: string;
  readonly cropHashes: string[];
  readonly fineHashes: string[];
  readonly vector: Float32Array;
}

const seconds = (since: bigint): number => Number(process.hrtime.bigint() - since) / 1e9;
const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

/**
 * image-arrived → vector-extracted for one partition batch (a stageBatchRoute handler).
 * Each image is fetched and decoded (at most `prepareConcurrency` at once in the
 * process) and, as soon as it is decoded, queued for the model: the EmbeddingBatcher
 * runs one model call per `maxBatchSize` images (or after `maxWaitMs`), mixing images
 * of concurrent calls, so decoding overlaps inference. When every image of the call is
 * settled, one record per message is published in offset order (a tombstone as a
 * tombstone), then one outcome per message is returned. A per-image failure is that
 * message's `failed(error)` (dead-lettered with its own code) and the rest of the batch
 * goes on; a retriable one (unreachable host) ends the call there: later messages get
 * `failed(DeferredBehindRetryError)`, are not published, and come back on redelivery.
 * Output is idempotent per (image id, model version): key, hashes and every field but
 * `extractedAt` depend only on the event, the bytes and the model.
 * A publish failure rejects the whole call (nothing is committed; redelivery rewrites).
 */
export class ExtractorService {
  private readonly now: () => number;
  private readonly preparing: ConcurrencyLimit;
  private readonly admitted: ConcurrencyLimit;
  private readonly batcher: EmbeddingBatcher;

  constructor(private readonly deps: ExtractorServiceDeps) {
    this.now = deps.now ?? Date.now;
    this.preparing = new ConcurrencyLimit(deps.prepareConcurrency);
    // A decoded image waiting for the model holds its input slot in the batch buffer (~0.6 MB for
    // 224×224×3 floats): at most two model batches wait beyond those being decoded, whatever the
    // partitions and call sizes.
    this.admitted = new ConcurrencyLimit(2 * deps.batching.maxBatchSize + deps.prepareConcurrency);
    const { embedder, metrics } = deps;
    this.batcher = new EmbeddingBatcher((batch, n) => embedder.embed(batch, n), {
      ...deps.batching,
      inputSize: embedder.inputSize,
      dim: embedder.dim,
      onBatch: (size, took) => {
        metrics.observeInference(embedder.manifest.id, size, took);
        metrics.observeStage('inference', took);
      },
    });
  }

  async extractBatch(messages: readonly ConsumedMessage<ImageArrived>[]): Promise<HandlerOutcome[]> {
    const { metrics } = this.deps;
    const extracted = await Promise.all(await this.startExtracting(messages));
    // The consumer stops its walk at the first message to retry and redelivers from there, so
    // nothing after it is published now (it would be published again on every retry).
    const firstRetry = extracted.findIndex((p) => p instanceof Error && isRetriable(p));
    const cut = firstRetry === -1 ? messages.length : firstRetry + 1;

    const records: OutgoingRecord<VectorExtracted>[] = [];
    const outcomes = messages.map((m, i): HandlerOutcome => {
      if (i >= cut) return Outcome.failed(new DeferredBehindRetryError(messages[firstRetry].offset));
      const p = extracted[i];
      if (m.tombstone) {
        records.push({ key: m.key, value: null });
        return Outcome.processed();
      }
      if (p === undefined || p instanceof Error) {
        this.deps.logger.warn({ imageId: m.value.imageId, uri: m.value.uri, offset: m.offset, reason: reasonOf(p) }, 'image not extracted');
        return Outcome.failed(p);
      }
      records.push({ key: m.value.imageId, value: this.toRecord(m.value, p) });
      return Outcome.processed();
    });
    const publishing = process.hrtime.bigint();
    await this.deps.sink.publish(records);
    if (records.length > 0) metrics.observeStage('publish', seconds(publishing));
    for (const [i, o] of outcomes.slice(0, cut).entries()) metrics.countImage(o.kind === 'failed' ? 'failed' : messages[i].tombstone ? 'skipped' : 'extracted');
    return outcomes;
  }

  /** Starts every image's extraction; with a throttle, each waits for its token first (tombstones do not). */
  private async startExtracting(messages: readonly ConsumedMessage<ImageArrived>[]): Promise<Promise<Extracted | Error | undefined>[]> {
    const started: Promise<Extracted | Error | undefined>[] = [];
    for (const m of messages) {
      if (m.tombstone) {
        started.push(Promise.resolve(undefined));
        continue;
      }
      if (this.deps.throttle !== undefined) await this.deps.throttle.acquire();
      started.push(this.extract(m.value).catch(asError));
    }
    return started;
  }

  /** Fetch + decode + preprocess under the process-wide limits, then wait for the image's model row. */
  private extract(event: ImageArrived): Promise<Extracted> {
    this.batcher.announce();
    return this.admitted.run(async () => {
      const prepared = await this.prepare(event);
      const { input } = this.deps.embedder.manifest;
      // Preprocessed straight into its slot of the next model call's input buffer (no per-image tensor, no copy).
      const row = this.batcher.submit((batch, index) => writeImageIntoBatch(prepared.image.rgb, batch, index, input));
      this.deps.metrics.observeStage('decode', seconds(prepared.decoding));
      const vector = await row;
      return { sourceWidth: prepared.image.sourceWidth, sourceHeight: prepared.image.sourceHeight, contentSha256: prepared.contentSha256, perceptualHash: prepared.perceptualHash, cropHashes: prepared.cropHashes, fineHashes: prepared.fineHashes, vector };
    });
  }

  private prepare(event: ImageArrived) {
    const { embedder, metrics } = this.deps;
    return this.preparing.run(async () => {
      const fetching = process.hrtime.bigint();
      const bytes = await this.deps.fetcher.fetch(event.uri);
      metrics.observeStage('fetch', seconds(fetching));
      const decoding = process.hrtime.bigint();
      const contentSha256 = createHash('sha256').update(bytes).digest('hex');
      const image = await this.deps.decoder.prepare(bytes, embedder.manifest.input);
      // The hashes come from the same decoded, model-sized pixels the model reads: one decode per image.
      const { perceptualHash, cropHashes, fineHashes } = imageHashes(image.rgb, image.width, image.height);
      // The 'decode' stage (decode + hashes + preprocess) is observed once the image is written into its batch.
      return { image, contentSha256, perceptualHash, cropHashes, fineHashes, decoding };
    }).catch((err: unknown) => {
      this.batcher.withdraw();
      throw err;
    });
  }

  private toRecord(event: ImageArrived, p: Extracted): VectorExtracted {
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
      vector: vectorToBytes(p.vector),
      contentSha256: p.contentSha256,
      perceptualHash: p.perceptualHash,
      cropHashes: p.cropHashes,
      fineHashes: p.fineHashes,
      width: p.sourceWidth,
      height: p.sourceHeight,
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
