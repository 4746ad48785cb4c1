import { Counter, Histogram } from 'prom-client';
import { metricsRegistry } from '@stylestream/metrics';

/** Outcome label values of `stylestream_extractor_images_total` (docs/DESIGN.md §14). */
export type ExtractorImageOutcome = 'extracted' | 'skipped' | 'failed';

/** The extractor's metrics, as the alerts (alerts/stages.yml) name them. */
export interface ExtractorMetrics {
  countImage(outcome: ExtractorImageOutcome): void;
  observeInference(model: string, seconds: number): void;
}

const images = new Counter({
  name: 'stylestream_extractor_images_total',
  help: 'Images handled by the extractor, by outcome (extracted, skipped = tombstone passed through, failed = dead-lettered or retried).',
  labelNames: ['outcome'] as const,
  registers: [metricsRegistry],
});

const inference = new Histogram({
  name: 'stylestream_extractor_inference_duration_seconds',
  help: 'Time of one batched model inference (session.run + L2), by model id.',
  labelNames: ['model'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});

export const promExtractorMetrics: ExtractorMetrics = {
  countImage: (outcome) => images.inc({ outcome }),
  observeInference: (model, seconds) => inference.observe({ model }, seconds),
};
