/** @jest-environment ./libs/model/src/testing/onnx-jest.environment.js */
import { join, resolve } from 'node:path';
import { chooseModel } from './model-choice';

/** Reads the committed manifests under models/ (files, no ONNX session). */
const MODELS = join(resolve(__dirname, '../../..'), 'models');

describe('chooseModel', () => {
  it('finds a model by its manifest version or by its id, with the dimension of its vectors', () => {
    const byId = chooseModel(MODELS, 'mobilenet-v2-nsfwjs-h256', undefined);
    expect(byId).toMatchObject({ id: 'mobilenet-v2-nsfwjs-h256', dim: 256 });
    expect(chooseModel(MODELS, byId.version, undefined)).toEqual(byId);
    expect(chooseModel(MODELS, undefined, 'mobilenet-v2-nsfwjs')).toMatchObject({ version: '1.0.0', dim: 1280 });
  });

  it('refuses an unknown version or id, a mismatched pair, or nothing at all, listing what exists', () => {
    expect(() => chooseModel(MODELS, '9.9.9', undefined)).toThrow(/unknown model version or id "9.9.9"; known: .*1\.0\.0 \(model mobilenet-v2-nsfwjs\)/);
    expect(() => chooseModel(MODELS, undefined, 'nope')).toThrow('unknown model id "nope"');
    expect(() => chooseModel(MODELS, '9.9.9', 'mobilenet-v2-nsfwjs')).toThrow('has version 1.0.0, not "9.9.9"');
    expect(() => chooseModel(MODELS, undefined, undefined)).toThrow('give --to <version>');
  });
});
