/** @jest-environment ./libs/model/src/testing/onnx-jest.environment.js */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadModel } from '@stylestream/model';
import { CHAOS_TINY_MODEL_ID, chaosModel } from './chaos-model';

describe('chaos model', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'chaos-model-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the tiny test model under the work dir, and the model loader opens it with the dimension it reports', async () => {
    const model = chaosModel('/nonexistent-repo', CHAOS_TINY_MODEL_ID, dir);
    expect(model.dir).toBe(join(dir, 'models'));
    const loaded = await loadModel({ modelsDir: model.dir, modelId: model.id, executionProviders: ['cpu'], intraOpThreads: 1, interOpThreads: 1 }, pino({ level: 'silent' }));
    try {
      expect([loaded.manifest.version, loaded.dim]).toEqual([model.version, model.dim]);
      const vector = await loaded.embed(Float32Array.from({ length: loaded.inputSize }, (_, i) => (i % 7) / 7), 1);
      expect(vector.every(Number.isFinite)).toBe(true);
    } finally {
      await loaded.release();
    }
  });

  it('reads any other id from the repository models folder, naming the missing manifest', () => {
    expect(() => chaosModel(dir, 'no-such-model', dir)).toThrow(join(dir, 'models', 'no-such-model', 'manifest.json'));
  });
});
