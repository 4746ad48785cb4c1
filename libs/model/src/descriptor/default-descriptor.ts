import type { DescriptorSpec } from '../manifest/model-manifest.schema';

/** What `model:train` uses unless told otherwise (chosen on held-out training rows; see docs). */
export const DEFAULT_DESCRIPTOR = {
  size: 8,
  colour: 'rgb' as 'rgb' | 'grey',
  centre: true,
  power: 0.5,
  thumbnailWeights: [0.5, 1, 2] as readonly number[],
};

export interface DescriptorChoices {
  readonly size: number;
  readonly colour: 'rgb' | 'grey';
  readonly centre: boolean;
  readonly power: number;
  readonly thumbnailWeights: readonly number[];
}

/** One descriptor spec per thumbnail weight, over the backbone output `features` (or a pooled tap, `pool`). */
export function descriptorCandidates(features: { name: string; dim: number; pool?: 'spatial-mean' }, choices: DescriptorChoices): DescriptorSpec[] {
  return choices.thumbnailWeights.map((weight) => ({
    features: { name: features.name, dim: features.dim, power: choices.power, weight: 1, ...(features.pool === undefined ? {} : { pool: features.pool }) },
    thumbnail: { size: choices.size, colour: choices.colour, centre: choices.centre, weight },
  }));
}
