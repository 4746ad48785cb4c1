import { createHash } from 'node:crypto';
import { LinearProjection } from './linear-projection';

/**
 * `projection.bin`: float32 little-endian, first the `inputDim` mean values, then the
 * `outputDim` weight rows of `inputDim` values each. No header: the manifest names
 * the dims and the file's SHA-256.
 */
export function encodeProjection(p: LinearProjection): Buffer {
  const bytes = Buffer.alloc((p.inputDim + p.inputDim * p.outputDim) * 4);
  let offset = 0;
  for (const v of p.mean) offset = bytes.writeFloatLE(v, offset);
  for (const v of p.weights) offset = bytes.writeFloatLE(v, offset);
  return bytes;
}

/** Reads `projection.bin` bytes for the given dims; throws RangeError when the length does not match them. */
export function decodeProjection(bytes: Uint8Array, inputDim: number, outputDim: number): LinearProjection {
  const expected = (inputDim + inputDim * outputDim) * 4;
  if (bytes.length !== expected) {
    throw new RangeError(`holds ${bytes.length} bytes, ${inputDim} means + ${outputDim}×${inputDim} weights need ${expected}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values = new Float32Array(expected / 4);
  for (let i = 0; i < values.length; i++) values[i] = view.getFloat32(i * 4, true);
  return { inputDim, outputDim, mean: values.subarray(0, inputDim), weights: values.subarray(inputDim) };
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
