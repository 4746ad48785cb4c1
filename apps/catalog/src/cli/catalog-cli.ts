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
const nonNegativeInt = (raw: string): number => {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('must be a non-negative integer');
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

/** `npm run catalog -- serve | setup | reindex [--timeout-ms N] [--delete-old [--keep N]] | cleanup [--keep N] [--dry-run]`. */
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
  .option('--delete-old', 'after the swap (and a grace of one request timeout), delete the indices older than the new one')
  .option('--keep <n>', 'with --delete-old: keep the n newest older indices for rollback', nonNegativeInt, 0)
  .action(async (options: { timeoutMs: number; deleteOld?: boolean; keep: number }) => {
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
          ...(options.deleteOld === true ? { deleteOld: { keep: options.keep, graceMs: c.ELASTICSEARCH_REQUEST_TIMEOUT_MS } } : {}),
        },
        logger,
      );
      process.stdout.write(`${JSON.stringify(report)}\n`);
    } finally {
      await runtime.close();
    }
  });

program
  .command('cleanup')
  .description('delete versioned indices older than the one the alias points at (never that one, never a newer one)')
  .option('--keep <n>', 'keep the n newest older indices for rollback', nonNegativeInt, 0)
  .option('--dry-run', 'only print what would be deleted')
  .action(async (options: { keep: number; dryRun?: boolean }) => {
    const c = config();
    const runtime = createCatalogRuntime(c, createLogger('catalog'));
    try {
      const report = await runtime.lifecycle.removeOldIndices({ keep: options.keep, dryRun: options.dryRun === true });
      if (report.current === undefined) process.stderr.write(`cleanup: alias ${c.CATALOG_ALIAS} does not exist; nothing deleted\n`);
      process.stdout.write(`${JSON.stringify({ alias: c.CATALOG_ALIAS, dryRun: options.dryRun === true, ...report })}\n`);
    } finally {
      await runtime.close();
    }
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`catalog: ${reasonOf(err)}\n`);
  process.exit(1);
});
