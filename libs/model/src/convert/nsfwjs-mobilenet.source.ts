import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ModelConversionError } from '../model-errors';
import { TfjsModelJson } from './tfjs-layers-model';

/** The tfjs MobileNetV2 bundled in nsfwjs: topology + weights manifest and the raw weight bytes. */
export interface NsfwjsMobilenetSource {
  description: string;
  json: TfjsModelJson;
  weightData: Uint8Array;
  /** SHA-256 over both bundle files, identifying the exact source weights. */
  sha256: string;
}

/**
 * nsfwjs ships each model as two UMD bundles under `dist/models/<name>/`:
 * `model.min.js` exports the model.json object and `group1-shard1of1.min.js` exports
 * the weight shard as a base64 string. They are not in the package's `exports`, so
 * they are found next to its resolved entry point.
 */
export function readNsfwjsMobilenetSource(): NsfwjsMobilenetSource {
  const loadBundle = createRequire(__filename);
  const entry = loadBundle.resolve('nsfwjs'); // <pkg>/dist/cjs/index.js
  const pkgRoot = dirname(dirname(dirname(entry)));
  const dir = join(pkgRoot, 'dist', 'models', 'mobilenet_v2');
  const modelFile = join(dir, 'model.min.js');
  const shardFile = join(dir, 'group1-shard1of1.min.js');
  const version = (JSON.parse(readFileSync(join(pkgRoot, 'package.json'), 'utf8')) as { version: string }).version;
  const hash = createHash('sha256');
  hash.update(readFileSync(modelFile));
  hash.update(readFileSync(shardFile));
  const json = loadBundle(modelFile) as TfjsModelJson;
  const shard = loadBundle(shardFile) as unknown;
  if (typeof shard !== 'string' || json.weightsManifest === undefined) {
    throw new ModelConversionError(`nsfwjs@${version}: unexpected bundle format in ${dir}`);
  }
  return {
    description: `nsfwjs@${version} dist/models/mobilenet_v2`,
    json,
    weightData: new Uint8Array(Buffer.from(shard, 'base64')),
    sha256: hash.digest('hex'),
  };
}
