import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_MODEL_ID } from '../../libs/model/src/convert/default-model.build';
import { TINY_MODEL_ID, tinyManifest, tinyOnnx } from '../../libs/model/src/testing/tiny-model-dir.fixture';

/** The embedding model of a chaos run: what the extractor loads, the index-writer indexes (version, dimension). */
export interface ChaosModel {
  readonly dir: string;
  readonly id: string;
  readonly version: string;
  readonly dim: number;
}

/**
 * `tiny-test`: the unit tests' tiny ONNX graph (8×8 input, 12-d output, the
 * same preprocessing and session code as the real model). The chaos run
 * proves delivery under faults, not embedding quality, and the real model
 * (≈50 images/s on a 2-core machine) makes a 100k-event run take hours.
 */
export const CHAOS_TINY_MODEL_ID = TINY_MODEL_ID;
/** The production model (`npm run model:build`), which the reduced CI variant keeps. */
export const CHAOS_REAL_MODEL_ID = DEFAULT_MODEL_ID;

/** Model id, version and dimension from `<dir>/<id>/manifest.json`. */
export function readModel(dir: string, id: string): ChaosModel {
  const file = join(dir, id, 'manifest.json');
  if (!existsSync(file)) throw new Error(`${file} is missing (build the default model with \`npm run model:build\`, or use --model ${CHAOS_TINY_MODEL_ID})`);
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as { version: string; output: { dim: number } };
  return { dir, id, version: manifest.version, dim: manifest.output.dim };
}

/**
 * The model `id` for a run: `tiny-test` is written under `workDir/models`
 * (removed with the run's work dir); any other id is read from the
 * repository's `models/` folder.
 */
export function chaosModel(repoDir: string, id: string, workDir: string): ChaosModel {
  if (id !== CHAOS_TINY_MODEL_ID) return readModel(join(repoDir, 'models'), id);
  const dir = join(workDir, 'models');
  mkdirSync(join(dir, id), { recursive: true });
  writeFileSync(join(dir, id, 'model.onnx'), tinyOnnx(3));
  writeFileSync(join(dir, id, 'manifest.json'), JSON.stringify(tinyManifest()));
  return readModel(dir, id);
}
