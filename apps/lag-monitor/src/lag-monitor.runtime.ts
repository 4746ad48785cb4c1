import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Logger } from 'pino';
import { createKafkaClient } from '@stylestream/kafka';
import { ScrapeTargetFile, metricsRegistry } from '@stylestream/metrics';
import { GroupFilter } from './domain/group-filter';
import { createLagMonitorHttpApp } from './http/lag-monitor-http.app';
import { KafkaClusterOffsetsReader } from './kafka/kafka-cluster-offsets.reader';
import type { LagMonitorConfig } from './lag-monitor.config';
import { LagMetrics } from './metrics/lag.metrics';
import { LagMonitorService } from './monitor/lag-monitor.service';

export interface RunningLagMonitor {
  readonly app: NestExpressApplication;
  /** Base URL, e.g. http://127.0.0.1:8095 (the real port when PORT=0). */
  readonly url: string;
  close(): Promise<void>;
}

let sharedMetrics: LagMetrics | undefined;
/** One LagMetrics per process: prom-client refuses to register a name twice in a registry. */
function lagMetrics(): LagMetrics {
  sharedMetrics ??= new LagMetrics(metricsRegistry);
  return sharedMetrics;
}

/** Wires the lag monitor (admin reader → poller → metrics, HTTP), listens, and registers its scrape target if configured. */
export async function startLagMonitor(config: LagMonitorConfig, logger: Logger): Promise<RunningLagMonitor> {
  const kafka = createKafkaClient(
    {
      brokers: config.KAFKA_BROKERS,
      clientId: config.KAFKA_CLIENT_ID,
      groupId: config.KAFKA_CLIENT_ID,
      consumer: { partitionsConcurrency: 1, maxBytesPerPartition: 1024, maxWaitTimeMs: 0, sessionTimeoutMs: 6000, heartbeatIntervalMs: 1000 },
      retryPolicy: { initialDelayMs: 100, maxDelayMs: 1000, multiplier: 2, maxAttempts: 1, jitter: 0 },
      shutdownTimeoutMs: 1000,
      producerRetries: 1,
      topicDefaults: { partitions: 1, replicationFactor: 1 },
    },
    logger,
  );
  const filter = new GroupFilter(config.LAG_MONITOR_GROUPS, config.LAG_MONITOR_GROUP_PREFIXES);
  const monitor = new LagMonitorService(
    new KafkaClusterOffsetsReader(kafka.admin()),
    {
      pollIntervalMs: config.LAG_MONITOR_POLL_INTERVAL_MS,
      windowSize: config.LAG_MONITOR_WINDOW_SAMPLES,
      timeTablePoints: config.LAG_MONITOR_TIME_TABLE_POINTS,
      watchedTopics: config.LAG_MONITOR_WATCH_TOPICS,
      acceptsGroup: (group) => filter.accepts(group),
    },
    lagMetrics(),
    logger,
  );
  const app = await createLagMonitorHttpApp(monitor);
  try {
    await app.listen(config.PORT, config.HOST);
  } catch (err) {
    await app.close();
    throw err;
  }
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address !== null ? address.port : config.PORT;
  const hostPort = `${config.HOST}:${port}`;
  const target = config.LAG_MONITOR_TARGET_FILE === undefined ? undefined : new ScrapeTargetFile(config.LAG_MONITOR_TARGET_FILE, hostPort, { app: 'lag-monitor' });
  target?.write();
  // Also on SIGTERM/SIGINT (Nest's shutdown hooks end with process.kill) and on a crash: never leave a dead target behind.
  const removeTarget = (): void => target?.remove();
  if (target !== undefined) process.once('exit', removeTarget);
  return {
    app,
    url: `http://${hostPort}`,
    close: async () => {
      removeTarget();
      process.off('exit', removeTarget);
      await app.close();
    },
  };
}
