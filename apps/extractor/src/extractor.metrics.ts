import { Counter, Histogram, type Registry } from 'prom-client';

/** Outcome label values of `stylestream_extractor_images_total` (alerts/stages.yml). */
export type ExtractorImageOutcome = 'extracted' | 'skipped' | 'failed';

/** Stages of one image, timed separately: fetch bytes, decode + preprocess, model call (per batch), publish (per handler call). */
export type ExtractorStage = 'fetch' | 'decode' | 'inference' | 'publish';

/**
 * The extractor's own metrics. The consumed / produced / dead-lettered counters,
 * handler latency and consumed batch sizes come from libs/kafka (pipelineMetrics).
 * Calls are synchronous and cheap; a no-op implementation switches them off.
 */
export interface ExtractorMetrics {
  countImage(outcome: ExtractorImageOutcome): void;
  observeStage(stage: ExtractorStage, seconds: number): void;
  /** One model call: its size (images) and duration (session.run + L2). */
  observeInference(model: string, batchSize: number, seconds: number): void;
}

export const noExtractorMetrics: ExtractorMetrics = {
  countImage: () => undefined,
  observeStage: () => undefined,
  observeInference: () => undefined,
};

const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Registers the extractor's series in `registry` (once per registry: prom-client refuses duplicate names). */
export function createPromExtractorMetrics(registry: Registry): ExtractorMetrics {
  const images = new Counter({
    name: 'stylestream_extractor_images_total',
    help: 'Images handled by the extractor, by outcome (extracted, skipped = tombstone passed through, failed = dead-lettered or retried).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const stages = new Histogram({
    name: 'stylestream_extractor_stage_duration_seconds',
    help: 'Time of one extractor stage: fetch and decode per image (decode includes preprocessing), inference per model call, publish per handler call.',
    labelNames: ['stage'] as const,
    buckets: SECONDS,
    registers: [registry],
  });
  const inference = new Histogram({
    name: 'stylestream_extractor_inference_duration_seconds',
    help: 'Time of one batched model inference (session.run + L2), by model id.',
    labelNames: ['model'] as const,
    buckets: SECONDS,
    registers: [registry],
  });
  const batchSize = new Histogram({
    name: 'stylestream_extractor_inference_batch_size_images',
    help: 'Images per model call (dynamic batching), by model id.',
    labelNames: ['model'] as const,
    buckets: [1, 2, 4, 8, 16, 32, 64, 128],
    registers: [registry],
  });
  return {
    countImage: (outcome) => images.inc({ outcome }),
    observeStage: (stage, seconds) => stages.observe({ stage }, seconds),
    observeInference: (model, size, seconds) => {
      inference.observe({ model }, seconds);
      batchSize.observe({ model }, size);
    },
  };
}
