import { composeDescriptorRows } from '../descriptor/descriptor.reference';
import { type DescriptorSpec, descriptorDim } from '../manifest/model-manifest.schema';
import { type HeadTrainingOptions, type TrainedHead, trainProjectionHead } from './projection-head.trainer';

export interface TrainedDescriptorHead {
  /** The chosen descriptor; the head's projection reads `descriptorDim(spec)` floats. */
  readonly spec: DescriptorSpec;
  readonly head: TrainedHead;
  /** Every descriptor tried with the held-out quality of its best head. */
  readonly tried: readonly { readonly spec: DescriptorSpec; readonly head: TrainedHead }[];
}

/**
 * Learns a head over a graph-side descriptor: for each candidate spec, the descriptor
 * rows are composed from the cached backbone features and pooled thumbnails
 * (`composeDescriptorRows`, what the graph computes) and `trainProjectionHead` learns
 * PCA-whitening + the discriminant over them, choosing its options on the held-out
 * rows. The spec whose head scores best on the held-out rows (1-NN, then mAP@10) wins;
 * the validation set is never seen. Deterministic for the same inputs.
 */
export function trainDescriptorHead(
  features: Float32Array,
  thumbnails: Float32Array,
  labels: Int32Array,
  specs: readonly DescriptorSpec[],
  options: Omit<HeadTrainingOptions, 'pca'>,
): TrainedDescriptorHead {
  const log = options.log ?? (() => undefined);
  const n = labels.length;
  const tried: { spec: DescriptorSpec; head: TrainedHead }[] = [];
  for (const spec of specs) {
    log(`descriptor ${describeDescriptor(spec)}`);
    const head = trainProjectionHead(composeDescriptorRows(features, thumbnails, n, spec), labels, descriptorDim(spec), options);
    tried.push({ spec, head });
  }
  const best = tried.reduce<(typeof tried)[number] | undefined>((b, t) => (b === undefined || betterHead(t.head, b.head) ? t : b), undefined);
  if (best === undefined) throw new RangeError('no descriptor candidates given');
  return { spec: best.spec, head: best.head, tried };
}

function betterHead(a: TrainedHead, b: TrainedHead): boolean {
  if (a.heldOut.nearestNeighbourAccuracy !== b.heldOut.nearestNeighbourAccuracy) return a.heldOut.nearestNeighbourAccuracy > b.heldOut.nearestNeighbourAccuracy;
  return a.heldOut.meanAveragePrecisionAt10 > b.heldOut.meanAveragePrecisionAt10;
}

/** One line naming a descriptor, for logs and the manifest's training method. */
export function describeDescriptor(d: DescriptorSpec): string {
  const t = d.thumbnail;
  const source = d.features.pool === undefined ? d.features.name : `${d.features.name} (${d.features.dim} channels, spatial mean)`;
  const features = `${d.features.power === 1 ? '' : `power ${d.features.power} `}${source} ×${d.features.weight}`;
  return `[${features}${t === undefined ? '' : ` ‖ ${t.size}×${t.size} ${t.colour}${t.centre ? ' centred' : ''} thumbnail ×${t.weight}`}]`;
}
