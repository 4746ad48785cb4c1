import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The process-wide metrics registry. Label values are bounded: topic names,
 * stage names, outcome enums and error classes, never ids.
 */
export const metricsRegistry = new Registry();

let defaultsCollected = false;
/**
 * Adds process metrics (CPU, memory, event loop, GC) once per process, and
 * `stylestream_app_info{app}` = 1. The app is not stamped on every series:
 * which app a target is comes from service discovery as a target label
 * (file_sd `labels: {app}`, a pod label), and the same label in the
 * exposition would clash with it (Prometheus renames one to `exported_app`).
 */
export function collectProcessMetrics(app: string): void {
  if (defaultsCollected) return;
  defaultsCollected = true;
  collectDefaultMetrics({ register: metricsRegistry });
  new Gauge({
    name: 'stylestream_app_info',
    help: 'Always 1; the app label names the process (join on instance to label other series).',
    labelNames: ['app', 'node_version'] as const,
    registers: [metricsRegistry],
  }).set({ app, node_version: process.version }, 1);
}

export const pipelineMetrics = {
  consumed: new Counter({
    name: 'stylestream_messages_consumed_total',
    help: 'Messages consumed, by topic and outcome (processed, skipped, dead_lettered, retried).',
    labelNames: ['topic', 'outcome'] as const,
    registers: [metricsRegistry],
  }),
  produced: new Counter({
    name: 'stylestream_messages_produced_total',
    help: 'Messages produced, by topic.',
    labelNames: ['topic'] as const,
    registers: [metricsRegistry],
  }),
  deadLettered: new Counter({
    name: 'stylestream_messages_dead_lettered_total',
    help: 'Messages sent to a dead-letter topic, by source topic and error class.',
    labelNames: ['topic', 'error_class'] as const,
    registers: [metricsRegistry],
  }),
  handlerDuration: new Histogram({
    name: 'stylestream_handler_duration_seconds',
    help: 'Time a stage handler spent on one message, by topic.',
    labelNames: ['topic'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [metricsRegistry],
  }),
  batchSize: new Histogram({
    name: 'stylestream_batch_size_messages',
    help: 'Messages per consumed batch, by topic.',
    labelNames: ['topic'] as const,
    buckets: [1, 5, 10, 25, 50, 100, 250, 500, 1000],
    registers: [metricsRegistry],
  }),
};

/** Text exposition for GET /metrics. */
export async function renderMetrics(): Promise<{ contentType: string; body: string }> {
  return { contentType: metricsRegistry.contentType, body: await metricsRegistry.metrics() };
}
