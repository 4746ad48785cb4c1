import { parseModelManifest } from '../manifest/model-manifest.reader';
import { TINY_MODEL_ID, tinyManifest } from '../testing/tiny-model-dir.fixture';
import { GraphValue, checkGraphContract } from './graph-contract.check';

const manifest = parseModelManifest(TINY_MODEL_ID, tinyManifest());
const input: GraphValue = { name: 'input', isTensor: true, type: 'float32', shape: ['batch', 8, 8, 3] };
const output: GraphValue = { name: 'features', isTensor: true, type: 'float32', shape: ['batch', 12] };

describe('checkGraphContract', () => {
  it('accepts a graph that agrees (symbolic or numeric batch)', () => {
    expect(checkGraphContract(manifest, [input], [output])).toEqual([]);
    expect(checkGraphContract(manifest, [{ ...input, shape: [1, 8, 8, 3] }], [output])).toEqual([]);
  });

  it('names a wrong input or output name', () => {
    expect(checkGraphContract(manifest, [{ ...input, name: 'images' }], [{ ...output, name: 'logits' }])).toEqual([
      'input name: manifest says "input", graph has "images"',
      'output name: manifest says "features", graph has "logits"',
    ]);
  });

  it('names wrong dims, with the layout it expected', () => {
    expect(checkGraphContract(manifest, [{ ...input, shape: ['batch', 3, 8, 8] }], [{ ...output, shape: ['batch', 1280] }])).toEqual([
      'input "input" dims: manifest expects NHWC [batch, 8, 8, 3], graph has [batch, 3, 8, 8]',
      'output "features" dims: manifest expects [batch, 12], graph has [batch, 1280]',
    ]);
  });

  it('names a wrong element type and extra inputs', () => {
    expect(checkGraphContract(manifest, [{ ...input, type: 'uint8' }, { ...input, name: 'mask' }], [output])).toEqual([
      'input "input" type: manifest expects float32, graph has uint8',
      'graph has 2 inputs ("input", "mask"); only single-input models are supported',
    ]);
  });
});
