import 'reflect-metadata';
import { loadConfigOrExit } from '@stylestream/config';
import { reasonOf } from '@stylestream/errors';
import { createLogger } from '@stylestream/logging';
import { collectProcessMetrics } from '@stylestream/metrics';
import { createIngestHttpApp } from './http/ingest-http.app';
import { ingestHttpConfigSchema } from './ingest.config';
import { connectImageArrivedPublisher } from './kafka/connect-image-arrived.publisher';

/** The ingest HTTP process: config, Kafka publisher, then listen. Any boot failure exits non-zero with a reason. */
async function bootstrap(): Promise<void> {
  // Keys are partitioned by kafkajs' default (Java-compatible murmur2) partitioner on purpose; see docs/DESIGN.md §7.
  process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';
  const config = loadConfigOrExit(ingestHttpConfigSchema);
  const logger = createLogger('ingest');
  collectProcessMetrics('ingest');
  const publisher = await connectImageArrivedPublisher(config, logger);
  const app = await createIngestHttpApp({
    apiKeys: config.INGEST_API_KEYS,
    maxBatch: config.INGEST_MAX_BATCH,
    maxBodyBytes: config.INGEST_MAX_BODY_BYTES,
    publisher,
    logger,
  });
  try {
    await app.listen(config.PORT, config.HOST);
  } catch (err) {
    await app.close();
    throw err;
  }
  logger.info({ url: `http://${config.HOST}:${config.PORT}`, docs: `http://${config.HOST}:${config.PORT}/docs` }, 'ingest listening');
}

bootstrap().catch((err: unknown) => {
  const code = (err as { code?: unknown }).code;
  const reason = code === 'EADDRINUSE' ? `port in use: ${reasonOf(err)}` : reasonOf(err);
  process.stderr.write(`ingest failed to start: ${reason}\n`);
  process.exit(1);
});
