import { Registry } from 'prom-client';
import { pipelineMetrics } from '@stylestream/metrics';
import { createPromExtractorMetrics } from '../../apps/extractor/src/extractor.metrics';
import { IndexWriterMetrics } from '@stylestream/index-writer';
import { median } from './process-cpu';

/**
 * The metric calls an app makes per item, replayed in this process with the real
 * series (prom-client, the same label sets) and timed in CPU ns per item. This is
 * the cost of metrics isolated from everything else: comparing whole runs with
 * metrics on and off measures it too, but here one run's throughput moves by more
 * than the whole effect.
 */
export interface CallSequence {
  readonly name: string;
  /** Records what the app records for one batch of `batch` items. */
  readonly batch: (batch: number) => void;
}

/**
 * What the extractor records: libs/kafka per consumed batch (batch size) and per
 * message (handler timer, consumed counter); the extractor per image (fetch and
 * decode stage times, an outcome counter) and per model call (inference time and
 * batch size, inference stage time), per handler call (publish time, produced counter).
 */
export function extractorCallSequence(): CallSequence {
  const extractor = createPromExtractorMetrics(new Registry());
  const topic = 'bench-image-arrived';
  return {
    name: 'extractor',
    batch: (n) => {
      pipelineMetrics.batchSize.observe({ topic }, n);
      for (let i = 0; i < n; i++) {
        const stop = pipelineMetrics.handlerDuration.startTimer({ topic });
        extractor.observeStage('fetch', 0.001);
        extractor.observeStage('decode', 0.02);
        extractor.countImage('extracted');
        stop();
        pipelineMetrics.consumed.inc({ topic, outcome: 'processed' });
      }
      extractor.observeInference('mobilenet-v2-nsfwjs', n, 0.1);
      extractor.observeStage('inference', 0.1);
      extractor.observeStage('publish', 0.001);
      pipelineMetrics.produced.inc({ topic: 'bench-vector-extracted' }, n);
    },
  };
}

/**
 * What the index-writer records: libs/kafka per consumed batch (batch size, one handler
 * timer around the batch route) and per message (consumed counter); the writer per
 * vector (op counter, freshness) and per batch (insert time), and the index-updated
 * record it produces per batch.
 */
export function indexWriterCallSequence(): CallSequence {
  const writer = new IndexWriterMetrics();
  const topic = 'bench-vector-cleaned';
  const now = Date.now();
  return {
    name: 'index-writer',
    batch: (n) => {
      pipelineMetrics.batchSize.observe({ topic }, n);
      const stop = pipelineMetrics.handlerDuration.startTimer({ topic });
      const results = Array.from({ length: n }, () => 'added' as const);
      writer.batchApplied(topic, { results, appliedOffset: n, snapshots: [], compacted: [], opsMs: n, inserts: n }, 0);
      for (let i = 0; i < n; i++) {
        writer.searchable(now - 50, now);
        pipelineMetrics.consumed.inc({ topic, outcome: 'processed' });
      }
      stop();
      pipelineMetrics.produced.inc({ topic: 'bench-index-updated' }, 1);
    },
  };
}

/**
 * CPU ns per item of `sequence` at batches of `batch`, median of interleaved rounds
 * against an empty loop of the same shape (the loop's own cost is subtracted).
 */
export function callCostNsPerItem(sequence: CallSequence, batch: number, items = 40_000, rounds = 7): number {
  const batches = Math.max(1, Math.floor(items / batch));
  let sink = 0;
  const empty = (n: number) => {
    for (let i = 0; i < n; i++) sink += i;
  };
  const cpuNs = (f: (n: number) => void): number => {
    const before = process.cpuUsage();
    for (let b = 0; b < batches; b++) f(batch);
    const used = process.cpuUsage(before);
    return ((used.user + used.system) * 1000) / (batches * batch);
  };
  for (let w = 0; w < 2; w++) cpuNs(sequence.batch); // JIT and label maps
  const withCalls: number[] = [];
  const without: number[] = [];
  for (let r = 0; r < rounds; r++) {
    withCalls.push(cpuNs(sequence.batch));
    without.push(cpuNs(empty));
  }
  if (sink < 0) throw new Error('unreachable');
  return Math.max(0, median(withCalls) - median(without));
}
