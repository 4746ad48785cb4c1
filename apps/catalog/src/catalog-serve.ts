import { isRetriable, reasonOf } from '@stylestream/errors';
import { stopOnSignals } from '@stylestream/kafka';
import { collectProcessMetrics } from '@stylestream/metrics';
import type { Logger } from 'pino';
import type { CatalogConfig } from './catalog.config';
import { createCatalogRuntime } from './catalog-runtime';
import { createCatalogHttpApp } from './http/catalog-http.app';
import { createCatalogSink } from './sink/catalog-sink';

/**
 * Runs the catalogue: ensures template, shards index and alias; starts the
 * sink (group KAFKA_GROUP_ID, writing through the alias) and the search HTTP
 * app. SIGTERM/SIGINT: stop HTTP, stop the sink (commits what is settled), close clients.
 */
export async function serveCatalog(config: CatalogConfig, logger: Logger): Promise<void> {
  process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';
  collectProcessMetrics('catalog');
  const runtime = createCatalogRuntime(config, logger);
  const index = await retryWhileUnavailable(() => runtime.lifecycle.ensure(), logger);
  const sink = createCatalogSink({ ...runtime.sinkBase, imagesIndex: config.CATALOG_ALIAS, groupId: config.KAFKA_GROUP_ID });
  await runtime.producer.connect();
  await sink.start();
  const app = await createCatalogHttpApp({ query: { client: runtime.es, alias: config.CATALOG_ALIAS }, logger });
  await app.listen(config.PORT, config.HOST);
  logger.info({ url: `http://${config.HOST}:${config.PORT}`, docs: `http://${config.HOST}:${config.PORT}/docs`, alias: config.CATALOG_ALIAS, index }, 'catalog listening');
  stopOnSignals(async () => {
    await app.close();
    await sink.stop();
    await runtime.close();
  }, logger);
}

/**
 * The index setup, tried again while Elasticsearch is unavailable or slow (a retriable error), up
 * to `attempts` times with a doubling wait (1, 2, 4, 8, 16 s). A node that has only just started,
 * on a machine where the other apps are booting too, took over the 10 s request timeout to create
 * its first index. Every setup step is idempotent. Any other error, or the last attempt's, is thrown.
 */
export async function retryWhileUnavailable<T>(setup: () => Promise<T>, logger: Pick<Logger, 'warn'>, attempts = 6, firstWaitMs = 1_000): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await setup();
    } catch (err) {
      if (attempt >= attempts || !isRetriable(err)) throw err;
      const waitMs = firstWaitMs * 2 ** (attempt - 1);
      logger.warn({ attempt, waitMs, reason: reasonOf(err) }, 'catalogue index setup failed; trying again');
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }
}
