import { resolve } from 'node:path';
import { buildDefaultModel } from '../convert/default-model.build';
import { reasonOf } from '@stylestream/errors';

/** `npm run model:build [-- --force] [--models-dir <dir>]`: builds (or confirms) the default ONNX model. */
function main(argv: string[]): void {
  const force = argv.includes('--force');
  const dirFlag = argv.indexOf('--models-dir');
  const modelsDir = resolve(dirFlag >= 0 && argv[dirFlag + 1] !== undefined ? argv[dirFlag + 1] : 'models');
  const started = process.hrtime.bigint();
  const result = buildDefaultModel(modelsDir, { force });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const what = result.built ? `built (${result.reason})` : 'up to date, skipped';
  process.stdout.write(`${result.manifest.id} ${result.manifest.version}: ${what} in ${seconds.toFixed(2)} s -> ${result.modelPath}\n`);
}

try {
  main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`model:build failed: ${reasonOf(err)}\n`);
  process.exit(1);
}
