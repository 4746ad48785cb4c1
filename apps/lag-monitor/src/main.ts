import 'reflect-metadata';
import { loadConfigOrExit } from '@stylestream/config';
import { reasonOf } from '@stylestream/errors';
import { createLogger } from '@stylestream/logging';
import { stopOnSignals } from '@stylestream/kafka';
import { collectProcessMetrics } from '@stylestream/metrics';
import { lagMonitorConfigSchema } from './lag-monitor.config';
import { startLagMonitor } from './lag-monitor.runtime';

/** The lag monitor process: config, then poll and serve. Any boot failure exits non-zero with a reason. */
async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit(lagMonitorConfigSchema);
  const logger = createLogger('lag-monitor');
  collectProcessMetrics('lag-monitor');
  const running = await startLagMonitor(config, logger);
  logger.info({ url: running.url, docs: `${running.url}/docs`, pollIntervalMs: config.LAG_MONITOR_POLL_INTERVAL_MS }, 'lag monitor listening');
  // One shutdown path: close the HTTP app, the poller and the scrape target file, then let the process end.
  stopOnSignals(() => running.close(), logger);
}

bootstrap().catch((err: unknown) => {
  const code = (err as { code?: unknown }).code;
  const reason = code === 'EADDRINUSE' ? `port in use: ${reasonOf(err)}` : reasonOf(err);
  process.stderr.write(`lag-monitor failed to start: ${reason}\n`);
  process.exit(1);
});
