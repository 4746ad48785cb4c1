import 'reflect-metadata';
import { describeClickHouse, toClickHouseConfig } from '@stylestream/clickhouse';
import { loadConfigOrExit } from '@stylestream/config';
import { reasonOf } from '@stylestream/errors';
import { stopOnSignals } from '@stylestream/kafka';
import { createLogger } from '@stylestream/logging';
import { collectProcessMetrics } from '@stylestream/metrics';
import type { INestApplication } from '@nestjs/common';
import type { Logger } from '@stylestream/logging';
import { type AnalyticsConfig, analyticsConfigSchema } from './analytics.config';
import { type AnalyticsRuntime, startAnalytics } from './analytics.runtime';
import { createAnalyticsHttpApp } from './http/analytics-http.app';

/** The analytics process: ClickHouse + migrations, the sink consumer, and the query API. */
async function boot(config: AnalyticsConfig, logger: Logger): Promise<{ app: INestApplication; runtime: AnalyticsRuntime }> {
  collectProcessMetrics('analytics');
  const runtime = await startAnalytics(config, logger);
  const app = await createAnalyticsHttpApp(runtime.queries, logger);
  await app.listen(config.PORT, config.HOST);
  logger.info({ clickhouse: describeClickHouse(toClickHouseConfig(config)), url: `http://${config.HOST}:${config.PORT}/docs` }, 'analytics listening');
  return { app, runtime };
}

process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';
const config = loadConfigOrExit(analyticsConfigSchema);
const logger = createLogger('analytics');
const booted = boot(config, logger);
// Installed before the sink starts consuming: a SIGTERM that arrives while the app is still
// booting waits for the boot, then stops gracefully (commit, close the engine) instead of
// killing the process mid-batch.
stopOnSignals(async () => {
  const { app, runtime } = await booted;
  await app.close();
  await runtime.stop();
}, logger);
booted.catch((err: unknown) => {
  process.stderr.write(`analytics failed to start: ${reasonOf(err)}\n`);
  process.exit(1);
});
