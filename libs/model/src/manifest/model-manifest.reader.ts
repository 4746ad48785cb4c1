import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelManifestError, ModelNotFoundError } from '../model-errors';
import { ModelManifest, modelManifestSchema } from './model-manifest.schema';

/** Validates a parsed manifest document; every problem is named by its JSON path. */
export function parseModelManifest(modelId: string, document: unknown): ModelManifest {
  const result = modelManifestSchema.safeParse(document);
  if (!result.success) {
    throw new ModelManifestError(
      modelId,
      result.error.issues.map((i) => `manifest ${i.path.join('.') || '(root)'}: ${i.message}`),
    );
  }
  if (result.data.id !== modelId) {
    throw new ModelManifestError(modelId, [`manifest id: "${result.data.id}" does not match its folder "${modelId}"`]);
  }
  return result.data;
}

/** Model ids that have a manifest under `modelsDir`. */
export function listModelIds(modelsDir: string): string[] {
  try {
    return readdirSync(modelsDir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .filter((d) => {
        try {
          return readdirSync(join(modelsDir, d.name)).includes('manifest.json');
        } catch {
          return false;
        }
      })
      .map((d) => d.name)
      .sort();
  } catch {
    return [];
  }
}

/** Reads and validates `<modelsDir>/<modelId>/manifest.json`; throws ModelNotFoundError for an unknown id. */
export function readModelManifest(modelsDir: string, modelId: string): ModelManifest {
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(modelId) || modelId.includes('..')) {
    throw new ModelNotFoundError(modelId, listModelIds(modelsDir));
  }
  let text: string;
  try {
    text = readFileSync(join(modelsDir, modelId, 'manifest.json'), 'utf8');
  } catch (err) {
    throw new ModelNotFoundError(modelId, listModelIds(modelsDir), err);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (err) {
    throw new ModelManifestError(modelId, [`manifest.json is not valid JSON: ${(err as Error).message}`], err);
  }
  return parseModelManifest(modelId, document);
}
