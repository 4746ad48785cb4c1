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
  const index = await runtime.lifecycle.ensure();
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
