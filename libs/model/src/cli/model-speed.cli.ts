import { resolve } from 'node:path';
import { reasonOf } from '@stylestream/errors';
import { loadModel } from '../session/model.loader';
import { EXECUTION_PROVIDERS, ExecutionProvider } from '../session/model-runtime.config';

/**
 * Bare `session.run` throughput of a model (the model's ceiling, no decode, no Kafka):
 * `node dist/libs/model/src/cli/model-speed.cli.js [--model id] [--threads 2] [--ep cpu] [--seconds 5]`.
 * Prints one line per batch size and a final JSON line.
 */
async function main(argv: string[]): Promise<void> {
  const flag = (name: string, fallback: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : fallback;
  };
  const ep = flag('ep', 'cpu');
  if (!(EXECUTION_PROVIDERS as readonly string[]).includes(ep)) throw new Error(`--ep must be one of ${EXECUTION_PROVIDERS.join(', ')}`);
  const threads = Number(flag('threads', '2'));
  const seconds = Number(flag('seconds', '5'));
  const model = await loadModel({
    modelsDir: resolve(flag('models-dir', 'models')),
    modelId: flag('model', 'mobilenet-v2-nsfwjs'),
    executionProviders: [ep as ExecutionProvider],
    intraOpThreads: threads,
    interOpThreads: 1,
  });
  const results: Record<string, number> = {};
  try {
    for (const batch of [1, 8, 32]) {
      const input = Float32Array.from({ length: batch * model.inputSize }, (_, i) => (i % 251) / 251);
      await model.run(input, batch); // warm-up
      let images = 0;
      const started = performance.now();
      while (performance.now() - started < seconds * 1000) {
        await model.run(input, batch);
        images += batch;
      }
      const ips = images / ((performance.now() - started) / 1000);
      results[`batch_${batch}_ips`] = Math.round(ips * 10) / 10;
      process.stdout.write(`batch ${String(batch).padStart(2)}: ${ips.toFixed(1)} images/s\n`);
    }
  } finally {
    await model.release();
  }
  process.stdout.write(`${JSON.stringify({ bench: 'model-speed', model: model.manifest.id, providers: model.executionProviders, threads, ...results })}\n`);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`model-speed failed: ${reasonOf(err)}\n`);
  process.exit(1);
});
