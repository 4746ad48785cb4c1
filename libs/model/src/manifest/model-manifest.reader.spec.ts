import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelManifestError, ModelNotFoundError } from '../model-errors';
import { TINY_MODEL_ID, tinyManifest } from '../testing/tiny-model-dir.fixture';
import { listModelIds, parseModelManifest, readModelManifest } from './model-manifest.reader';

describe('parseModelManifest', () => {
  it('accepts a complete manifest and fills defaults', () => {
    const { file, projection, ...rest } = tinyManifest();
    void file;
    void projection;
    const m = parseModelManifest(TINY_MODEL_ID, rest);
    expect(m.file).toBe('model.onnx');
    expect(m.projection).toBeNull();
    expect(m.output.normalisation).toBe('l2');
  });

  it('names every invalid field by its path', () => {
    const doc = tinyManifest({ input: { layout: 'HWC', std: [1, 0, 1] }, output: { dim: -3 } });
    try {
      parseModelManifest(TINY_MODEL_ID, doc);
      throw new Error('expected a ModelManifestError');
    } catch (err) {
      expect(err).toBeInstanceOf(ModelManifestError);
      const message = (err as ModelManifestError).message;
      expect(message).toContain('manifest input.layout');
      expect(message).toContain('manifest input.std: every std must be > 0');
      expect(message).toContain('manifest output.dim');
    }
  });

  it('refuses unknown fields and an id that differs from its folder', () => {
    expect(() => parseModelManifest(TINY_MODEL_ID, tinyManifest({ colour: 'RGB' }))).toThrow(/manifest \(root\).*colour/);
    expect(() => parseModelManifest('other', tinyManifest())).toThrow('manifest id: "tiny-test" does not match its folder "other"');
  });
});

describe('readModelManifest', () => {
  const modelsDir = mkdtempSync(join(tmpdir(), 'stylestream-manifest-'));
  mkdirSync(join(modelsDir, TINY_MODEL_ID));
  writeFileSync(join(modelsDir, TINY_MODEL_ID, 'manifest.json'), JSON.stringify(tinyManifest()));
  mkdirSync(join(modelsDir, 'broken'));
  writeFileSync(join(modelsDir, 'broken', 'manifest.json'), '{ not json');

  it('reads a manifest by model id', () => {
    expect(readModelManifest(modelsDir, TINY_MODEL_ID).id).toBe(TINY_MODEL_ID);
  });

  it('names an unknown model id and lists the available ones', () => {
    expect(() => readModelManifest(modelsDir, 'resnet-50')).toThrow(new ModelNotFoundError('resnet-50', ['broken', TINY_MODEL_ID]));
    expect(() => readModelManifest(modelsDir, '../etc')).toThrow(ModelNotFoundError);
    expect(listModelIds(join(modelsDir, 'missing'))).toEqual([]);
  });

  it('reports a manifest that is not JSON', () => {
    expect(() => readModelManifest(modelsDir, 'broken')).toThrow(/model "broken": manifest.json is not valid JSON/);
  });
});
