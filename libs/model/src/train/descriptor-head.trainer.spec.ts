import { composeDescriptorRows } from '../descriptor/descriptor.reference';
import { type DescriptorSpec, descriptorDim } from '../manifest/model-manifest.schema';
import { projectRows } from '../projection/linear-projection';
import { trainDescriptorHead } from './descriptor-head.trainer';
import { DEFAULT_HEAD_CANDIDATES, trainProjectionHead } from './projection-head.trainer';
import { retrievalQuality } from './retrieval-metrics';

const F = 12;
const SIZE = 2;
const T = 3 * SIZE * SIZE;

function uniform(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 4294967296;
  };
}

/**
 * Four classes. The features carry only part of the class (classes 0/1 and 2/3 share
 * a feature centre); the thumbnails carry the rest (their layout differs between 0 and
 * 1, and between 2 and 3), under noise.
 */
function dataset(perClass: number, seed: number): { features: Float32Array; thumbnails: Float32Array; labels: Int32Array } {
  const u = uniform(seed);
  const n = perClass * 4;
  const features = new Float32Array(n * F);
  const thumbnails = new Float32Array(n * T);
  const labels = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const c = r % 4;
    labels[r] = c;
    for (let i = 0; i < F; i++) features[r * F + i] = 0.2 + u() + (i === (c < 2 ? 0 : 1) ? 1.5 : 0);
    for (let i = 0; i < T; i++) thumbnails[r * T + i] = 0.5 * u() + ((i % 4 === 0) === (c % 2 === 0) ? 0.6 : 0);
  }
  return { features, thumbnails, labels };
}

const spec = (weight: number): DescriptorSpec => ({ features: { name: 'features', dim: F, power: 0.5, weight: 1 }, thumbnail: { size: SIZE, colour: 'rgb', centre: true, weight } });
const options = { outputDim: 10, heldOutShare: 0.2, seed: 3, candidates: DEFAULT_HEAD_CANDIDATES };

describe('trainDescriptorHead', () => {
  it('learns over [features ‖ thumbnail] and beats a head over the features alone on unseen rows', () => {
    const train = dataset(40, 1);
    const test = dataset(20, 2);
    const trained = trainDescriptorHead(train.features, train.thumbnails, train.labels, [spec(0.5), spec(1)], options);
    expect(trained.tried.map((t) => t.spec.thumbnail?.weight)).toEqual([0.5, 1]);
    const best = Math.max(...trained.tried.map((t) => t.head.heldOut.nearestNeighbourAccuracy));
    expect(trained.head.heldOut.nearestNeighbourAccuracy).toBe(best);
    const D = descriptorDim(trained.spec);
    expect(trained.head.projection.inputDim).toBe(D);
    const embed = (set: typeof train) => projectRows(trained.head.projection, composeDescriptorRows(set.features, set.thumbnails, set.labels.length, trained.spec), set.labels.length);
    const withThumbnail = retrievalQuality({ rows: embed(train), labels: train.labels, dim: 10 }, { rows: embed(test), labels: test.labels, dim: 10 });

    const featureHead = trainProjectionHead(train.features, train.labels, F, options);
    const project = (rows: Float32Array) => projectRows(featureHead.projection, rows, rows.length / F);
    const featuresOnly = retrievalQuality({ rows: project(train.features), labels: train.labels, dim: 10 }, { rows: project(test.features), labels: test.labels, dim: 10 });
    expect(featuresOnly.nearestNeighbourAccuracy).toBeLessThan(0.75);
    expect(withThumbnail.nearestNeighbourAccuracy).toBeGreaterThan(featuresOnly.nearestNeighbourAccuracy + 0.2);

    const again = trainDescriptorHead(train.features, train.thumbnails, train.labels, [spec(0.5), spec(1)], options);
    expect(again.head.projection.weights).toEqual(trained.head.projection.weights);
  });

  it('refuses an empty candidate list', () => {
    const train = dataset(5, 1);
    expect(() => trainDescriptorHead(train.features, train.thumbnails, train.labels, [], options)).toThrow('no descriptor candidates given');
  });
});
