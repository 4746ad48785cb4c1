import { loadConfigOrExit } from '@stylestream/config';
import { createLogger } from '@stylestream/logging';
import { schemaRegistryConfigSchema } from './schema-registry.config';
import { startSchemaRegistry } from './start-schema-registry';

async function main(): Promise<void> {
  const config = loadConfigOrExit(schemaRegistryConfigSchema);
  const logger = createLogger('schema-registry');
  const registry = await startSchemaRegistry(config, { logger });
  const stop = (signal: string): void => {
    logger.info({ signal }, 'shutting down');
    registry.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`schema-registry failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
