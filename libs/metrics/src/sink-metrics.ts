import { Counter, Gauge, Histogram } from 'prom-client';
import { metricsRegistry } from './pipeline-metrics';

/** Label value of the sink metrics: the store a sink writes to (bounded). */
export type SinkName = 'elasticsearch' | 'clickhouse';

/**
 * Series of the stores the sinks write to (docs/DESIGN.md §14 metric contract;
 * SinkBackpressure and the runbooks use them). One insert = one request to the
 * store (a bulk, an INSERT), whatever the number of rows in it.
 */
export const sinkMetrics = {
  insertDuration: new Histogram({
    name: 'stylestream_sink_insert_duration_seconds',
    help: 'Time of one insert request to the store (bulk, INSERT), by sink, failed ones included.',
    labelNames: ['sink'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [metricsRegistry],
  }),
  insertRows: new Histogram({
    name: 'stylestream_sink_insert_batch_size_messages',
    help: 'Writes per insert request to the store, by sink.',
    labelNames: ['sink'] as const,
    buckets: [1, 5, 10, 25, 50, 100, 250, 500, 1000, 5000],
    registers: [metricsRegistry],
  }),
  insertFailures: new Counter({
    name: 'stylestream_sink_insert_failures_total',
    help: 'Writes the store did not apply, by sink and error class (a whole failed request counts each of its writes).',
    labelNames: ['sink', 'error_class'] as const,
    registers: [metricsRegistry],
  }),
  buffered: new Gauge({
    name: 'stylestream_sink_buffered_messages',
    help: 'Writes waiting in the sink buffer for the next insert, by sink.',
    labelNames: ['sink'] as const,
    registers: [metricsRegistry],
  }),
  bufferCapacity: new Gauge({
    name: 'stylestream_sink_buffer_capacity_messages',
    help: 'Writes the sink buffer holds before the sink stops taking more, by sink.',
    labelNames: ['sink'] as const,
    registers: [metricsRegistry],
  }),
};
