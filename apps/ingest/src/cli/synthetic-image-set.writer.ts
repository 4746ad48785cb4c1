import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { InvalidInputError } from '@stylestream/errors';
import { syntheticImageSet, type SyntheticImageSetOptions } from './synthetic-image-set';

/** Written at the root of a generated set; its `generator` field marks a folder that --generate may wipe and rewrite. */
export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_GENERATOR = 'stylestream-synthetic-images/v1';

export interface SyntheticImageSetManifest {
  generator: typeof MANIFEST_GENERATOR;
  seed: number;
  count: number;
  duplicateShare: number;
  byClass: Record<string, number>;
  /** Every file: unique ones with pattern and size, duplicates with the file they copy. */
  images: ({ path: string; category: string } & ({ pattern: string; width: number; height: number } | { duplicateOf: string }))[];
}

export interface SyntheticImageSetReport {
  root: string;
  count: number;
  duplicates: number;
  byClass: Record<string, number>;
  elapsedMs: number;
}

/**
 * Writes the labelled set under `root` (`<class>/<class>-<nnnn>.png` plus
 * manifest.json; the folder walker skips the manifest). `root` must be absent,
 * empty, or an earlier generated set (it is then replaced, so a smaller
 * --generate leaves no stale files). Any other non-empty folder is refused
 * with InvalidInputError: --out never deletes files it did not write.
 */
export async function writeSyntheticImageSet(root: string, options: SyntheticImageSetOptions): Promise<SyntheticImageSetReport> {
  const started = Date.now();
  const absoluteRoot = resolve(root);
  await prepareRoot(absoluteRoot);
  const manifest: SyntheticImageSetManifest = { generator: MANIFEST_GENERATOR, seed: options.seed, count: options.count, duplicateShare: options.duplicateShare, byClass: {}, images: [] };
  let duplicates = 0;
  for (const image of syntheticImageSet(options)) {
    const target = join(absoluteRoot, image.path);
    await mkdir(dirname(target), { recursive: true });
    if (image.kind === 'unique') {
      await writeFile(target, image.bytes);
      manifest.images.push({ path: image.path, category: image.category, pattern: image.pattern, width: image.width, height: image.height });
    } else {
      await copyFile(join(absoluteRoot, image.duplicateOf), target);
      manifest.images.push({ path: image.path, category: image.category, duplicateOf: image.duplicateOf });
      duplicates += 1;
    }
    manifest.byClass[image.category] = (manifest.byClass[image.category] ?? 0) + 1;
  }
  await writeFile(join(absoluteRoot, MANIFEST_FILE), `${JSON.stringify(manifest, null, 1)}\n`);
  return { root: absoluteRoot, count: options.count, duplicates, byClass: manifest.byClass, elapsedMs: Date.now() - started };
}

async function prepareRoot(root: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(root);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      await mkdir(root, { recursive: true });
      return;
    }
    throw new InvalidInputError(`cannot use ${root} for generated images: ${(err as Error).message}`, 'INPUT_NOT_FOUND', err);
  }
  if (entries.length === 0) return;
  if (!(await isGeneratedSet(root))) {
    throw new InvalidInputError(`refusing to generate images into ${root}: the folder holds files that --generate did not write (no ${MANIFEST_FILE} of ours); choose an empty or new --out folder`, 'OUTPUT_NOT_EMPTY');
  }
  await Promise.all(entries.map((entry) => rm(join(root, entry), { recursive: true, force: true })));
}

async function isGeneratedSet(root: string): Promise<boolean> {
  try {
    const manifest = JSON.parse(await readFile(join(root, MANIFEST_FILE), 'utf8')) as { generator?: unknown };
    return manifest.generator === MANIFEST_GENERATOR;
  } catch {
    return false;
  }
}
