import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger } from '@stylestream/logging';
import { readModelManifest } from '../manifest/model-manifest.reader';
import { ModelManifestError } from '../model-errors';
import { loadProjection } from '../projection/projection.loader';
import { checkGraphContract } from './graph-contract.check';
import { ModelEmbedder } from './model-embedder';
import { ModelRuntimeOptions } from './model-runtime.config';
import { ModelWarningSink, openOnnxSession } from './onnx-session.opener';

/**
 * Opens `<modelsDir>/<modelId>`: validates its manifest and its projection file (if
 * any: size, SHA-256, finite values), opens the ONNX file (the `backbone` model's
 * folder when the manifest names one) on the
 * requested providers (cuda falls back to CPU with one warning) and checks that the
 * graph's input/output names and dims agree with the manifest. Throws
 * ModelNotFoundError for an unknown id and ModelManifestError naming every
 * mismatch; callers at boot let either stop the process.
 */
export async function loadModel(
  options: ModelRuntimeOptions,
  warnings: ModelWarningSink = createLogger('model'),
): Promise<ModelEmbedder> {
  const manifest = readModelManifest(options.modelsDir, options.modelId);
  const modelPath = join(options.modelsDir, manifest.backbone ?? options.modelId, manifest.file);
  if (!existsSync(modelPath)) {
    throw new ModelManifestError(options.modelId, [`ONNX file ${modelPath} is missing (build it with \`npm run model:build\`)`]);
  }
  const projection = manifest.projection === null ? null : loadProjection(options.modelId, join(options.modelsDir, options.modelId), manifest.projection);
  const { session, executionProviders } = await openOnnxSession(modelPath, options, warnings);
  const problems = checkGraphContract(manifest, session.inputMetadata, session.outputMetadata);
  if (problems.length > 0) {
    await session.release();
    throw new ModelManifestError(options.modelId, problems);
  }
  return new ModelEmbedder(manifest, session, executionProviders, projection);
}
