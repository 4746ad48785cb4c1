import { Gauge } from 'prom-client';
import { collectProcessMetrics, metricsRegistry } from '@stylestream/metrics';
import type { RegistryState } from './domain/registry-state';
import type { SchemaLog } from './store/schema-log';

let source: { state: RegistryState; log: SchemaLog } | undefined;
let registered = false;

/** Exposes registry gauges on /metrics, read from the most recently started instance of this process. */
export function exposeRegistryMetrics(state: RegistryState, log: SchemaLog): void {
  source = { state, log };
  if (registered) return;
  registered = true;
  collectProcessMetrics('schema-registry');
  new Gauge({
    name: 'stylestream_schema_registry_schemas',
    help: 'Distinct schemas (global ids) known to the registry.',
    registers: [metricsRegistry],
    collect() {
      this.set(source?.state.counts().schemas ?? 0);
    },
  });
  new Gauge({
    name: 'stylestream_schema_registry_subjects',
    help: 'Subjects with at least one live version.',
    registers: [metricsRegistry],
    collect() {
      this.set(source?.state.counts().subjects ?? 0);
    },
  });
  new Gauge({
    name: 'stylestream_schema_registry_log_position',
    help: 'Next offset of the schemas topic the registry will apply.',
    registers: [metricsRegistry],
    collect() {
      this.set(source?.log.status().position ?? 0);
    },
  });
  new Gauge({
    name: 'stylestream_schema_registry_up',
    help: '1 when caught up with the schemas log and holding the writer role.',
    registers: [metricsRegistry],
    collect() {
      const status = source?.log.status();
      this.set(status !== undefined && status.caughtUp && !status.fenced ? 1 : 0);
    },
  });
}
