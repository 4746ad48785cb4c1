import { consumerLag } from '@stylestream/kafka';
import type { Logger } from 'pino';
import { CatalogIndexLifecycle } from '@stylestream/catalog';
import { InternalError } from '@stylestream/errors';
import { createCatalogSink, type CatalogSinkOptions } from '../sink/catalog-sink';

export interface CatalogReindexOptions extends Omit<CatalogSinkOptions, 'imagesIndex' | 'groupId'> {
  readonly lifecycle: CatalogIndexLifecycle;
  /** Base of the replay group; the run uses `<base>-reindex-<new index>`. */
  readonly groupBase: string;
  /** Give up (leaving the alias where it was) when lag has not reached 0 by then. */
  readonly timeoutMs: number;
  readonly pollMs?: number;
  readonly onProgress?: (lag: number) => void;
  /**
   * After the swap, delete the indices older than the new one (keeping the
   * `keep` newest for rollback), once `graceMs` has passed: live-sink and
   * reader requests that resolved the alias before the swap finish first.
   */
  readonly deleteOld?: { readonly keep: number; readonly graceMs: number };
}

export interface CatalogReindexReport {
  readonly index: string;
  readonly previous: string | undefined;
  readonly groupId: string;
  readonly elapsedMs: number;
  /** Indices deleted after the swap (deleteOld). */
  readonly removed: string[];
}

/**
 * Versioned reindex from the log: creates `<alias>-v<N+1>` from the template,
 * replays the three topics from the beginning into it under a new consumer
 * group, and once the group's lag is 0 refreshes the new index and moves the
 * alias to it in one atomic `_aliases` call. The replay consumer is stopped
 * only after the swap, so an event that arrived between the last lag probe and
 * the swap is in the new index too (the live sink, writing through the alias,
 * applies it again harmlessly: offset guards). The previous index is kept
 * unless `deleteOld` asks otherwise (or `catalog cleanup` later). On timeout
 * or failure the alias is untouched and nothing is deleted.
 */
export async function runCatalogReindex(options: CatalogReindexOptions, logger: Logger): Promise<CatalogReindexReport> {
  const started = Date.now();
  await options.lifecycle.ensure();
  const index = await options.lifecycle.createNextIndex();
  const groupId = `${options.groupBase}-reindex-${index}`;
  const topics = [options.topics.imageArrived, options.topics.vectorCleaned, options.topics.indexUpdated];
  const consumer = createCatalogSink({ ...options, imagesIndex: index, groupId });
  logger.info({ index, groupId, topics }, 'reindex: replaying the log into a new index');
  let stopped = false;
  try {
    await consumer.start();
    const deadline = started + options.timeoutMs;
    for (;;) {
      const lag = await consumerLag(options.kafka, groupId, topics);
      options.onProgress?.(lag);
      if (lag === 0) break;
      if (Date.now() > deadline) throw new InternalError(`reindex into ${index} still ${lag} messages behind after ${options.timeoutMs} ms; alias left unchanged`);
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 500));
    }
    const previous = await options.lifecycle.swapAlias(index);
    logger.info({ index, previous, alias: options.lifecycle.alias }, 'reindex: alias swapped');
    await consumer.stop();
    stopped = true;
    let removed: string[] = [];
    if (options.deleteOld !== undefined) {
      await new Promise((resolve) => setTimeout(resolve, options.deleteOld?.graceMs ?? 0));
      removed = (await options.lifecycle.removeOldIndices({ keep: options.deleteOld.keep })).removed;
      logger.info({ removed }, 'reindex: old indices deleted');
    }
    return { index, previous, groupId, elapsedMs: Date.now() - started, removed };
  } finally {
    if (!stopped) await consumer.stop();
  }
}
