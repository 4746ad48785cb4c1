import { InvalidInputError } from '@stylestream/errors';
import { loadConfig } from '@stylestream/config';
import { dedupeConfigSchema } from './dedupe.config';
import { checkVectorInput, parseModelVersions } from './vector-input.policy';

describe('vector input policy', () => {
  it('parses DEDUPE_MODELS entries with and without a dimension, and rejects bad ones', () => {
    expect([...parseModelVersions('1.0.0=256, 2.0.0-rc1 ,3@x=1280')]).toEqual([
      ['1.0.0', 256],
      ['2.0.0-rc1', null],
      ['3@x', 1280],
    ]);
    for (const bad of ['', ' , ', '1.0.0=0', '1.0.0=abc', '1.0.0=2=3', 'a b']) expect(() => parseModelVersions(bad)).toThrow(RangeError);
  });

  it('is part of the validated config with a default that matches the index-writer (1.0.0, 256-d)', () => {
    const config = loadConfig(dedupeConfigSchema, { KAFKA_BROKERS: '127.0.0.1:9092' });
    expect([...config.DEDUPE_MODELS]).toEqual([['1.0.0', 256]]);
    expect(config.DEDUPE_NORM_TOLERANCE).toBe(0.001);
    expect(() => loadConfig(dedupeConfigSchema, { KAFKA_BROKERS: '127.0.0.1:9092', DEDUPE_MODELS: '1.0.0=-4' })).toThrow(/DEDUPE_MODELS/);
  });

  it('accepts a unit vector within tolerance and names the reason otherwise', () => {
    const policy = { models: new Map<string, number | null>([['1.0.0', 3]]), normTolerance: 0.001 };
    expect(() => checkVectorInput(policy, '1.0.0', 3, Float32Array.from([0.6, 0.8, 0.0004]))).not.toThrow();
    const codeOf = (f: () => void): string | undefined => {
      try {
        f();
      } catch (err) {
        return err instanceof InvalidInputError ? err.code : 'other';
      }
      return undefined;
    };
    expect(codeOf(() => checkVectorInput(policy, '9.9.9', 3, Float32Array.from([1, 0, 0])))).toBe('MODEL_VERSION_UNKNOWN');
    expect(codeOf(() => checkVectorInput(policy, '1.0.0', 2, Float32Array.from([1, 0])))).toBe('VECTOR_DIM_MISMATCH');
    expect(codeOf(() => checkVectorInput(policy, '1.0.0', 3, Float32Array.from([1, 0])))).toBe('VECTOR_DIM_MISMATCH');
    expect(codeOf(() => checkVectorInput(policy, '1.0.0', 3, Float32Array.from([1, Number.NaN, 0])))).toBe('VECTOR_NOT_FINITE');
    expect(codeOf(() => checkVectorInput(policy, '1.0.0', 3, Float32Array.from([0.6, 0.8, 0.1])))).toBe('VECTOR_NOT_NORMALISED');
    expect(codeOf(() => checkVectorInput(policy, '1.0.0', 3, Float32Array.from([0, 0, 0])))).toBe('VECTOR_NOT_NORMALISED');
  });
});
