import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger } from '@stylestream/logging';
import { readModelManifest } from '../manifest/model-manifest.reader';
import { ModelManifestError } from '../model-errors';
import { sha256 } from '../convert/default-model.build';
import { appendDescriptorGraph } from '../convert/descriptor-graph';
import { ModelManifest } from '../manifest/model-manifest.schema';
import { loadProjection } from '../projection/projection.loader';
import { checkGraphContract } from './graph-contract.check';
import { ModelEmbedder } from './model-embedder';
import { ModelRuntimeOptions, defaultBatchShapes } from './model-runtime.config';
import { ModelWarningSink, openOnnxSession } from './onnx-session.opener';

/**
 * Opens `<modelsDir>/<modelId>`: validates its manifest and its projection file (if
 * any: size, SHA-256, finite values), opens the ONNX file (the `backbone` model's
 * folder when the manifest names one; with a `descriptor`, that graph plus the
 * descriptor branch, composed in memory and checked against `build.onnxSha256`) on the
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
  const graph = manifest.descriptor === undefined ? modelPath : composeDescriptorGraph(options.modelId, manifest, modelPath);
  const { session, executionProviders } = await openOnnxSession(graph, options, warnings);
  const problems = checkGraphContract(manifest, session.inputMetadata, session.outputMetadata);
  if (problems.length > 0) {
    await session.release();
    throw new ModelManifestError(options.modelId, problems);
  }
  const embedder = new ModelEmbedder(manifest, session, executionProviders, projection, options.batchShapes ?? defaultBatchShapes(executionProviders, options.maxBatchSize));
  try {
    await embedder.warmUp();
  } catch (err) {
    await session.release();
    throw err;
  }
  return embedder;
}

/**
 * The backbone graph with the manifest's descriptor appended. Its SHA-256 must equal
 * `build.onnxSha256`, the graph the head was trained for: a rebuilt or different
 * backbone, or an edited descriptor, would feed the projection another input space.
 */
function composeDescriptorGraph(modelId: string, manifest: ModelManifest, backbonePath: string): Uint8Array {
  if (manifest.descriptor === undefined) throw new RangeError('no descriptor');
  let composed: Uint8Array;
  try {
    composed = appendDescriptorGraph(readFileSync(backbonePath), manifest.descriptor, manifest.input, manifest.output.name);
  } catch (err) {
    throw new ModelManifestError(modelId, [`descriptor cannot be appended to ${backbonePath}: ${(err as Error).message}`], err);
  }
  const actual = sha256(composed);
  if (actual !== manifest.build?.onnxSha256) {
    throw new ModelManifestError(modelId, [
      `composed graph (${backbonePath} + descriptor) sha256 is ${actual}, manifest build.onnxSha256 says ${manifest.build?.onnxSha256 ?? 'nothing'}: the backbone or the descriptor differs from the one the head was trained for`,
    ]);
  }
  return composed;
}
