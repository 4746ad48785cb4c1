import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProjectionSpec } from '../manifest/model-manifest.schema';
import { ModelManifestError } from '../model-errors';
import { LinearProjection, projectionProblems } from './linear-projection';
import { decodeProjection, sha256Hex } from './projection-file';

/**
 * Reads `<modelDir>/<spec.file>` and checks it against the manifest: readable, the
 * SHA-256 the manifest records, the size its dims imply, only finite values. Throws
 * ModelManifestError naming the problem (a model whose head is wrong must not start:
 * it would publish vectors of a different space under the same version).
 */
export function loadProjection(modelId: string, modelDir: string, spec: ProjectionSpec): LinearProjection {
  const path = join(modelDir, spec.file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new ModelManifestError(modelId, [`projection file ${path} cannot be read (${(err as Error).message})`], err);
  }
  const actual = sha256Hex(bytes);
  if (actual !== spec.sha256) {
    throw new ModelManifestError(modelId, [`projection file ${path} sha256: manifest says ${spec.sha256}, file has ${actual}`]);
  }
  let projection: LinearProjection;
  try {
    projection = decodeProjection(bytes, spec.inputDim, spec.outputDim);
  } catch (err) {
    throw new ModelManifestError(modelId, [`projection file ${path} ${(err as Error).message}`], err);
  }
  const problems = projectionProblems(projection);
  if (problems.length > 0) throw new ModelManifestError(modelId, problems.map((p) => `${path}: ${p}`));
  return projection;
}
