/** @jest-environment ./libs/model/src/testing/onnx-jest.environment.js */
import pino from 'pino';
import { loadModel, type ModelRuntimeOptions } from '@stylestream/model';
import { TINY_MODEL_ID, tinyManifest, writeTinyModelDir } from '../../../../libs/model/src/testing/tiny-model-dir.fixture';
import { WorkerModelEmbedder } from './worker-model.embedder';

jest.setTimeout(60_000);
const logger = pino({ level: 'silent' });
const options = (modelsDir: string): ModelRuntimeOptions => ({ modelsDir, modelId: TINY_MODEL_ID, executionProviders: ['cpu'], intraOpThreads: 1, interOpThreads: 1 });

describe('WorkerModelEmbedder (tiny ONNX model in a worker thread)', () => {
  it('gives the same rows as the in-thread embedder and rejects after release', async () => {
    const dir = writeTinyModelDir();
    const fatal = jest.fn();
    const worker = await WorkerModelEmbedder.open(options(dir), logger, fatal);
    const local = await loadModel(options(dir), logger);
    try {
      expect([worker.manifest.id, worker.inputSize, worker.dim, worker.executionProviders]).toEqual([TINY_MODEL_ID, local.inputSize, local.dim, ['cpu']]);
      const batch = Float32Array.from({ length: 3 * local.inputSize }, (_, i) => ((i * 7919) % 255) / 255);
      const expected = await local.embed(batch.slice(), 3);
      const [a, b] = await Promise.all([worker.embed(batch.slice(), 3), worker.embed(batch.slice(0, local.inputSize), 1)]);
      expect(Array.from(a)).toEqual(Array.from(expected));
      expect(Array.from(b)).toEqual(Array.from(expected.subarray(0, local.dim)));
    } finally {
      await local.release();
      await worker.release();
    }
    await expect(worker.embed(new Float32Array(worker.inputSize), 1)).rejects.toThrow('released');
    expect(fatal).not.toHaveBeenCalled();
  });

  it('rejects open with the loader error when the manifest disagrees with the graph', async () => {
    const dir = writeTinyModelDir(tinyManifest({ input: { name: 'pixels' } }));
    await expect(WorkerModelEmbedder.open(options(dir), logger, jest.fn())).rejects.toMatchObject({ code: 'MODEL_MANIFEST_INVALID', retriable: false });
  });

  it('rejects a malformed batch with the embedder error', async () => {
    const worker = await WorkerModelEmbedder.open(options(writeTinyModelDir()), logger, jest.fn());
    try {
      await expect(worker.embed(new Float32Array(3), 2)).rejects.toMatchObject({ code: 'INVALID_INPUT', retriable: false });
    } finally {
      await worker.release();
    }
  });
});
