import { loadConfigOrExit } from '@stylestream/config';
import { reasonOf } from '@stylestream/errors';
import { stopOnSignals } from '@stylestream/kafka';
import { createLogger } from '@stylestream/logging';
import { READY, ScrapeTargetFile, collectProcessMetrics, startOpsHttpServer } from '@stylestream/metrics';
import { dedupeConfigSchema } from './dedupe.config';
import { exposeDedupeMetrics } from './dedupe.metrics';
import { startDedupe, type DedupeRuntime } from './dedupe.runtime';

/**
 * The dedupe process: vector-extracted → (global state from dedupe-state) → vector-cleaned.
 * Its operations port (DEDUPE_HTTP_PORT) answers from the start, so a long
 * state restore is visible: /healthz is 200, /readyz 503 until the consumer runs.
 */
const logger = createLogger('dedupe');
collectProcessMetrics('dedupe');

async function main(): Promise<void> {
  const config = loadConfigOrExit(dedupeConfigSchema);
  let runtime: DedupeRuntime | undefined;
  let stopping = false;
  const ops = await startOpsHttpServer({
    port: config.DEDUPE_HTTP_PORT,
    host: config.DEDUPE_HTTP_HOST,
    readiness: () => {
      if (stopping) return { ready: false, reason: 'stopping' };
      return runtime === undefined ? { ready: false, reason: 'restoring the dedupe state from its changelog' } : READY;
    },
  });
  logger.info({ url: ops.url }, 'dedupe operations endpoints listening (/metrics, /healthz, /readyz)');
  try {
    runtime = await startDedupe(config, logger);
  } catch (err) {
    await ops.close();
    throw err;
  }
  exposeDedupeMetrics(runtime.service);
  const target = config.DEDUPE_TARGET_FILE === undefined ? undefined : new ScrapeTargetFile(config.DEDUPE_TARGET_FILE, `${config.DEDUPE_HTTP_HOST}:${ops.port}`, { app: 'dedupe' });
  const removeTarget = (): void => target?.remove();
  target?.write();
  process.once('exit', removeTarget);
  const started = runtime;
  stopOnSignals(async () => {
    stopping = true;
    removeTarget();
    await started.stop();
    await ops.close();
  }, logger);
}

main().catch((err: unknown) => {
  const code = (err as { code?: unknown }).code;
  const reason = code === 'EADDRINUSE' ? `operations port in use (DEDUPE_HTTP_PORT): ${reasonOf(err)}` : reasonOf(err);
  process.stderr.write(`dedupe failed to start: ${reason}\n`);
  process.exit(1);
});
