#!/usr/bin/env node
import 'reflect-metadata';
import { Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '@stylestream/config';
import { ConfigError, reasonOf } from '@stylestream/errors';
import { createLogger } from '@stylestream/logging';
import { catalogConfigSchema, type CatalogConfig } from '../catalog.config';
import { createCatalogRuntime } from '../catalog-runtime';
import { serveCatalog } from '../catalog-serve';
import { runCatalogReindex } from '../reindex/catalog-reindex.run';

process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

const positiveInt = (raw: string): number => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive integer');
  return n;
};

function config(): CatalogConfig {
  try {
    return loadConfig(catalogConfigSchema);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`catalog: ${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
}

/** `npm run catalog -- serve | setup | reindex [--timeout-ms N]`. */
const program = new Command('catalog').description('StyleStream Elasticsearch catalogue');

program
  .command('serve', { isDefault: true })
  .description('run the sink (image-arrived, vector-cleaned, index-updated → Elasticsearch) and GET /v1/images')
  .action(async () => serveCatalog(config(), createLogger('catalog')));

program
  .command('setup')
  .description('create the index template, the shards index and the alias (idempotent)')
  .action(async () => {
    const c = config();
    const runtime = createCatalogRuntime(c, createLogger('catalog'));
    try {
      const index = await runtime.lifecycle.ensure();
      process.stdout.write(`${JSON.stringify({ alias: c.CATALOG_ALIAS, index, shards: c.CATALOG_SHARDS_INDEX })}\n`);
    } finally {
      await runtime.close();
    }
  });

program
  .command('reindex')
  .description('replay the topics into <alias>-v<N+1> under a new group, then swap the alias atomically once caught up')
  .option('--timeout-ms <ms>', 'give up (alias unchanged) if not caught up by then', positiveInt, 3_600_000)
  .action(async (options: { timeoutMs: number }) => {
    const c = config();
    const logger = createLogger('catalog-reindex');
    const runtime = createCatalogRuntime(c, logger);
    try {
      await runtime.producer.connect();
      const report = await runCatalogReindex(
        {
          ...runtime.sinkBase,
          lifecycle: runtime.lifecycle,
          groupBase: c.KAFKA_GROUP_ID,
          timeoutMs: options.timeoutMs,
          onProgress: (lag) => process.stderr.write(`reindex: lag ${lag}\n`),
        },
        logger,
      );
      process.stdout.write(`${JSON.stringify(report)}\n`);
    } finally {
      await runtime.close();
    }
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`catalog: ${reasonOf(err)}\n`);
  process.exit(1);
});
