import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { DescriptorSpec, ModelManifest, descriptorDim, modelManifestSchema } from '../manifest/model-manifest.schema';
import { LinearProjection } from '../projection/linear-projection';
import { encodeProjection, sha256Hex } from '../projection/projection-file';

export const PROJECTION_FILE = 'projection.bin';
/** The graph output of a descriptor model. */
export const DESCRIPTOR_OUTPUT = 'descriptor';

/** A head learned over a graph-side descriptor: the spec and the SHA-256 of the composed graph (backbone + descriptor). */
export interface HeadDescriptor {
  readonly spec: DescriptorSpec;
  readonly graphSha256: string;
}

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
 * SHA-256 (with a descriptor: of the projection's and the composed graph's SHA-256s
 * together), so a retrained head is a new version (a different vector space) by
 * construction. With `descriptor` the manifest declares it, its output is the
 * descriptor (normalised per block, `none` after) and `build.onnxSha256` is the
 * composed graph's, which the loader checks. Files are written to temp names and renamed.
 */
export function writeHeadModel(modelsDir: string, base: ModelManifest, projection: LinearProjection, head: HeadModelDescription, descriptor?: HeadDescriptor): ModelManifest {
  if (base.projection !== null) throw new RangeError(`base model "${base.id}" already has a projection; train heads over a backbone-only model`);
  if (descriptor !== undefined && base.build === undefined) throw new RangeError(`base model "${base.id}" has no build record; a descriptor head needs one`);
  const bytes = encodeProjection(projection);
  const sha256 = sha256Hex(bytes);
  const versionHash = descriptor === undefined ? sha256 : createHash('sha256').update(`${sha256}:${descriptor.graphSha256}`).digest('hex');
  const manifest = modelManifestSchema.parse({
    ...base,
    id: head.id,
    version: `${base.version}-h${projection.outputDim}.${versionHash.slice(0, 8)}`,
    backbone: base.backbone ?? base.id,
    ...(descriptor === undefined
      ? {}
      : {
          descriptor: descriptor.spec,
          output: { name: DESCRIPTOR_OUTPUT, dim: descriptorDim(descriptor.spec), normalisation: 'none' },
          build: { ...base.build, onnxSha256: descriptor.graphSha256 },
        }),
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
