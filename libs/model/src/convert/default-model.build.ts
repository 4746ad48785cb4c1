import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelManifest, modelManifestSchema } from '../manifest/model-manifest.schema';
import { convertKerasToOnnx } from './keras-to-onnx.converter';
import { readNsfwjsMobilenetSource } from './nsfwjs-mobilenet.source';
import { readTfjsLayersModel } from './tfjs-layers-model';

/** Bumped whenever the converter's output for the same source changes. */
export const CONVERTER_VERSION = 1;
export const DEFAULT_MODEL_ID = 'mobilenet-v2-nsfwjs';
/** The Keras layer holding the 1280-d pooled features (the classifier head after it is dropped). */
const FEATURE_LAYER = 'flatten_1';

export interface BuildResult {
  built: boolean;
  reason: string;
  modelPath: string;
  manifest: ModelManifest;
}

/**
 * `npm run model:build`: converts nsfwjs's MobileNetV2 to `<modelsDir>/<id>/model.onnx`
 * and writes its manifest. Skips when the ONNX file exists, its SHA-256 equals the
 * manifest's and the manifest was built from the same source and converter version;
 * the conversion is deterministic, so a rebuild reproduces the committed hash.
 */
export function buildDefaultModel(modelsDir: string, options: { force?: boolean } = {}): BuildResult {
  const dir = join(modelsDir, DEFAULT_MODEL_ID);
  const modelPath = join(dir, 'model.onnx');
  const manifestPath = join(dir, 'manifest.json');
  const source = readNsfwjsMobilenetSource();
  const previous = readPreviousManifest(manifestPath);
  const stale = staleReason(previous, modelPath, source.sha256);
  if (stale === undefined && options.force !== true && previous !== undefined) {
    return { built: false, reason: 'up to date', modelPath, manifest: previous };
  }
  const converted = convertKerasToOnnx(readTfjsLayersModel(source.json, source.weightData), {
    outputLayer: FEATURE_LAYER,
    inputName: 'input',
    outputName: 'features',
    graphName: DEFAULT_MODEL_ID,
  });
  const manifest = defaultManifest({
    source: source.description,
    sourceSha256: source.sha256,
    converterVersion: CONVERTER_VERSION,
    onnxSha256: sha256(converted.onnx),
  });
  mkdirSync(dir, { recursive: true });
  const tmp = `${modelPath}.${process.pid}.tmp`;
  writeFileSync(tmp, converted.onnx);
  renameSync(tmp, modelPath);
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return { built: true, reason: options.force === true ? 'forced' : (stale ?? 'forced'), modelPath, manifest };
}

function defaultManifest(build: NonNullable<ModelManifest['build']>): ModelManifest {
  return modelManifestSchema.parse({
    id: DEFAULT_MODEL_ID,
    version: '1.0.0',
    file: 'model.onnx',
    // nsfwjs feeds this model pixel / 255 in RGB, resized (bilinear) to 224×224 without cropping.
    input: {
      name: 'input',
      layout: 'NHWC',
      width: 224,
      height: 224,
      channels: 3,
      colourOrder: 'RGB',
      resize: 'stretch',
      interpolation: 'bilinear',
      pixelScale: 1 / 255,
      mean: [0, 0, 0],
      std: [1, 1, 1],
    },
    output: { name: 'features', dim: 1280, normalisation: 'l2' },
    projection: null,
    build,
  });
}

function staleReason(previous: ModelManifest | undefined, modelPath: string, sourceSha256: string): string | undefined {
  if (previous?.build === undefined) return 'no manifest';
  if (!existsSync(modelPath)) return 'model.onnx missing';
  if (previous.build.sourceSha256 !== sourceSha256) return 'source weights changed';
  if (previous.build.converterVersion !== CONVERTER_VERSION) return 'converter version changed';
  if (sha256(readFileSync(modelPath)) !== previous.build.onnxSha256) return 'model.onnx differs from the manifest hash';
  return undefined;
}

function readPreviousManifest(path: string): ModelManifest | undefined {
  try {
    const parsed = modelManifestSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
