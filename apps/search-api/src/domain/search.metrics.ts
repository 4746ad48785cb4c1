import { Counter, Histogram } from 'prom-client';
import { metricsRegistry } from '@stylestream/metrics';
import type { FilterStrategyName } from './search-query';

/** What the search use case reports; a no-op fake in unit tests. */
export interface SearchMetrics {
  observeSearch(strategy: FilterStrategyName, partial: boolean, seconds: number): void;
  countOwnerOutcome(kind: 'answered' | 'rejected' | 'deadline' | 'error'): void;
}

/** Prometheus series (bounded labels: strategy names, outcome kinds). */
export function promSearchMetrics(): SearchMetrics {
  const duration = new Histogram({
    name: 'stylestream_search_duration_seconds',
    help: 'Vector search time inside the search API (fan-out, merge, catalogue), by filter strategy and partial flag',
    labelNames: ['strategy', 'partial'],
    buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2],
    registers: [metricsRegistry],
  });
  const owners = new Counter({
    name: 'stylestream_search_owner_outcomes_total',
    help: 'Shard-owner answers to k-NN fan-outs by outcome (answered, rejected, deadline, error)',
    labelNames: ['outcome'],
    registers: [metricsRegistry],
  });
  return {
    observeSearch: (strategy, partial, seconds) => duration.observe({ strategy, partial: String(partial) }, seconds),
    countOwnerOutcome: (kind) => owners.inc({ outcome: kind }),
  };
}

export const noSearchMetrics: SearchMetrics = { observeSearch: () => undefined, countOwnerOutcome: () => undefined };
