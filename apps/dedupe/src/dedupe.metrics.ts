import { Gauge } from 'prom-client';
import { metricsRegistry } from '@stylestream/metrics';
import type { DedupeService } from './dedupe.service';

let source: DedupeService | undefined;
let registered = false;

/**
 * Exposes the dedupe state on /metrics, read at scrape time from the running
 * service: `stylestream_dedupe_state_images` (images whose hashes the state
 * holds). Consumed, produced and dead-lettered counts and handler latency come
 * from libs/kafka's stage consumer and producer (pipeline metrics).
 */
export function exposeDedupeMetrics(service: DedupeService): void {
  source = service;
  if (registered) return;
  registered = true;
  new Gauge({
    name: 'stylestream_dedupe_state_images',
    help: 'Images the dedupe state holds (content and perceptual hashes), restored from the changelog and kept up to date.',
    registers: [metricsRegistry],
    collect() {
      this.set(source?.state.size ?? 0);
    },
  });
}
