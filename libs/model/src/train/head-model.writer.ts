import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelManifest, modelManifestSchema } from '../manifest/model-manifest.schema';
import { LinearProjection } from '../projection/linear-projection';
import { encodeProjection, sha256Hex } from '../projection/projection-file';

export const PROJECTION_FILE = 'projection.bin';

export interface HeadModelDescription {
  /** The new model's id (its folder under modelsDir). */
  readonly id: string;
  readonly method: string;
  readonly source: string;
  readonly images: number;
  readonly classes: readonly string[];
  readonly heldOutNearestNeighbourAccuracy: number;
}

/**
 * Writes `<modelsDir>/<id>/projection.bin` and `manifest.json`: a new model that runs
 * the base model's ONNX file (`backbone` = the base id, so there is one ONNX file to
 * build) followed by the head, output normalised to unit length. Its version is the
 * base version plus the head's dim and the first 8 hex digits of the projection's
 * SHA-256, so a retrained head is a new version (a different vector space) by
 * construction. Files are written to temp names and renamed.
 */
export function writeHeadModel(modelsDir: string, base: ModelManifest, projection: LinearProjection, head: HeadModelDescription): ModelManifest {
  if (base.projection !== null) throw new RangeError(`base model "${base.id}" already has a projection; train heads over a backbone-only model`);
  const bytes = encodeProjection(projection);
  const sha256 = sha256Hex(bytes);
  const manifest = modelManifestSchema.parse({
    ...base,
    id: head.id,
    version: `${base.version}-h${projection.outputDim}.${sha256.slice(0, 8)}`,
    backbone: base.backbone ?? base.id,
    projection: {
      file: PROJECTION_FILE,
      sha256,
      inputDim: projection.inputDim,
      outputDim: projection.outputDim,
      normalisation: 'l2',
      training: {
        method: head.method,
        source: head.source,
        images: head.images,
        classes: [...head.classes],
        heldOutNearestNeighbourAccuracy: Number(head.heldOutNearestNeighbourAccuracy.toFixed(4)),
      },
    },
  });
  const dir = join(modelsDir, head.id);
  mkdirSync(dir, { recursive: true });
  const write = (name: string, data: string | Buffer) => {
    const tmp = join(dir, `${name}.${process.pid}.tmp`);
    writeFileSync(tmp, data);
    renameSync(tmp, join(dir, name));
  };
  write(PROJECTION_FILE, bytes);
  write('manifest.json', `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
