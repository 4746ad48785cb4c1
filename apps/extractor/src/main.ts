import { loadConfigOrExit } from '@stylestream/config';
import { reasonOf } from '@stylestream/errors';
import { stopOnSignals } from '@stylestream/kafka';
import { createLogger } from '@stylestream/logging';
import { collectProcessMetrics } from '@stylestream/metrics';
import { extractorConfigSchema } from './extractor.config';
import { startExtractor } from './extractor.runtime';

/** The extractor process: image-arrived → fetch, decode, embed → vector-extracted; ops HTTP on EXTRACTOR_HTTP_PORT. */
const logger = createLogger('extractor');
const config = loadConfigOrExit(extractorConfigSchema);
// fs reads and sharp decodes share libuv's pool (4 threads by default): with every thread in a
// decode, each file read (open, stat, read, close) queues behind decodes. Set before first use.
process.env.UV_THREADPOOL_SIZE ??= String(config.EXTRACTOR_PREPARE_CONCURRENCY + 4);
if (config.METRICS_ENABLED) collectProcessMetrics('extractor');
startExtractor(config, logger, (err) => {
  logger.fatal({ reason: reasonOf(err) }, 'model worker died; exiting to be restarted');
  process.exit(1);
})
  .then((runtime) => {
    logger.info({ url: runtime.url, metrics: config.METRICS_ENABLED }, 'extractor running');
    stopOnSignals(() => runtime.stop(), logger);
  })
  .catch((err: unknown) => {
    const code = (err as { code?: unknown }).code;
    process.stderr.write(`extractor failed to start: ${code === 'EADDRINUSE' ? 'port in use: ' : ''}${reasonOf(err)}\n`);
    process.exit(1);
  });
