import 'reflect-metadata';
import { describeClickHouse, toClickHouseConfig } from '@stylestream/clickhouse';
import { loadConfigOrExit } from '@stylestream/config';
import { reasonOf } from '@stylestream/errors';
import { stopOnSignals } from '@stylestream/kafka';
import { createLogger } from '@stylestream/logging';
import { collectProcessMetrics } from '@stylestream/metrics';
import { analyticsConfigSchema } from './analytics.config';
import { startAnalytics } from './analytics.runtime';
import { createAnalyticsHttpApp } from './http/analytics-http.app';

/** The analytics process: ClickHouse + migrations, the sink consumer, and the query API. */
async function bootstrap(): Promise<void> {
  process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';
  const config = loadConfigOrExit(analyticsConfigSchema);
  const logger = createLogger('analytics');
  collectProcessMetrics('analytics');
  const runtime = await startAnalytics(config, logger);
  const app = await createAnalyticsHttpApp(runtime.queries, logger);
  await app.listen(config.PORT, config.HOST);
  logger.info({ clickhouse: describeClickHouse(toClickHouseConfig(config)), url: `http://${config.HOST}:${config.PORT}/docs` }, 'analytics listening');
  stopOnSignals(async () => {
    await app.close();
    await runtime.stop();
  }, logger);
}

bootstrap().catch((err: unknown) => {
  process.stderr.write(`analytics failed to start: ${reasonOf(err)}\n`);
  process.exit(1);
});
