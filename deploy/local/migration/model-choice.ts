import { InvalidInputError } from '@stylestream/errors';
import { embeddingDim, listModelIds, readModelManifest, type ModelManifest } from '@stylestream/model';

/** A model folder the chain can run: its id, the version its vectors carry, and their dimension. */
export interface ModelChoice {
  readonly id: string;
  readonly version: string;
  readonly dim: number;
}

const choiceOf = (m: ModelManifest): ModelChoice => ({ id: m.id, version: m.version, dim: embeddingDim(m) });

/** Every model under `modelsDir` whose manifest reads (a broken one is left out). */
export function availableModels(modelsDir: string): ModelChoice[] {
  return listModelIds(modelsDir).flatMap((id) => {
    try {
      return [choiceOf(readModelManifest(modelsDir, id))];
    } catch {
      return [];
    }
  });
}

/**
 * The model a migration to `to` runs. `to` is a manifest version or a model
 * id; `model`, when given, must be a model id whose version is `to` (or `to`
 * is left to it). Throws InvalidInputError (MODEL_UNKNOWN) listing what
 * exists, so the CLI exits non-zero with a clear message.
 */
export function chooseModel(modelsDir: string, to: string | undefined, model: string | undefined): ModelChoice {
  const all = availableModels(modelsDir);
  const known = all.length === 0 ? `no model under ${modelsDir} (npm run model:build)` : `known: ${all.map((m) => `${m.version} (model ${m.id})`).join(', ')}`;
  if (model !== undefined) {
    const chosen = all.find((m) => m.id === model);
    if (chosen === undefined) throw new InvalidInputError(`unknown model id "${model}"; ${known}`, 'MODEL_UNKNOWN');
    if (to !== undefined && to !== chosen.version && to !== chosen.id) throw new InvalidInputError(`model ${model} has version ${chosen.version}, not "${to}"`, 'MODEL_UNKNOWN');
    return chosen;
  }
  if (to === undefined) throw new InvalidInputError(`give --to <version> (or --model <id>); ${known}`, 'MODEL_UNKNOWN');
  const byVersion = all.filter((m) => m.version === to);
  if (byVersion.length > 1) throw new InvalidInputError(`version "${to}" is in several models (${byVersion.map((m) => m.id).join(', ')}); pick one with --model`, 'MODEL_UNKNOWN');
  const chosen = byVersion[0] ?? all.find((m) => m.id === to);
  if (chosen === undefined) throw new InvalidInputError(`unknown model version or id "${to}"; ${known}`, 'MODEL_UNKNOWN');
  return chosen;
}
