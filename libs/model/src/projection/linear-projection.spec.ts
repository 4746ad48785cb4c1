import { LinearProjection, projectRows, projectionProblems } from './linear-projection';
import { decodeProjection, encodeProjection, sha256Hex } from './projection-file';

// y = W (x − mean), W 2×3
const projection: LinearProjection = {
  inputDim: 3,
  outputDim: 2,
  mean: Float32Array.from([1, 0, -1]),
  weights: Float32Array.from([1, 2, 0, 0, -1, 0.5]),
};

describe('projectRows', () => {
  it('computes W (x − mean) for every row', () => {
    const rows = Float32Array.from([1, 0, -1, 2, 1, 1]);
    // row 0 − mean = [0, 0, 0] → [0, 0]; row 1 − mean = [1, 1, 2] → [1 + 2, −1 + 1]
    expect(Array.from(projectRows(projection, rows, 2))).toEqual([0, 0, 3, 0]);
  });

  it('refuses too few floats', () => {
    expect(() => projectRows(projection, new Float32Array(4), 2)).toThrow(RangeError);
  });
});

describe('projectionProblems', () => {
  it('names wrong sizes and non-finite values', () => {
    expect(projectionProblems(projection)).toEqual([]);
    expect(projectionProblems({ ...projection, mean: new Float32Array(2) })).toEqual(['projection mean has 2 values, inputDim is 3']);
    expect(projectionProblems({ ...projection, weights: new Float32Array(5) })).toEqual(['projection weights have 5 values, 2×3 needs 6']);
    expect(projectionProblems({ ...projection, weights: Float32Array.from([1, 2, 0, 0, Number.NaN, 0]) })).toEqual(['projection holds NaN or infinite values']);
  });
});

describe('projection.bin', () => {
  it('is float32 little-endian: the means, then the weight rows, and round-trips', () => {
    const bytes = encodeProjection(projection);
    expect(bytes.length).toBe((3 + 6) * 4);
    expect(bytes.readFloatLE(0)).toBe(1);
    expect(bytes.readFloatLE(8)).toBe(-1);
    expect(bytes.readFloatLE(12 + 4)).toBe(2);
    const back = decodeProjection(bytes, 3, 2);
    expect(Array.from(back.mean)).toEqual([1, 0, -1]);
    expect(Array.from(back.weights)).toEqual([1, 2, 0, 0, -1, 0.5]);
    expect(sha256Hex(bytes)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses bytes whose length does not match the dims', () => {
    expect(() => decodeProjection(encodeProjection(projection), 3, 3)).toThrow('holds 36 bytes, 3 means + 3×3 weights need 48');
  });
});
