import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InvalidInputError } from '@stylestream/errors';

export const IMAGE_EXTENSIONS: readonly string[] = ['.jpg', '.jpeg', '.png', '.webp'];

/** One image file found under the walked folder. */
export interface FolderImage {
  path: string;
  /** Absolute file:// URI. */
  uri: string;
  /** Name of the `<class>/` folder holding the file; undefined for files directly in the root. */
  category: string | undefined;
}

/**
 * Lists image files (jpg, jpeg, png, webp; any case) under `root`, recursively,
 * in sorted order so replays visit files identically. Hidden entries (".x")
 * are skipped. Throws InvalidInputError when `root` is missing or not a folder.
 */
export async function listFolderImages(root: string): Promise<FolderImage[]> {
  const absoluteRoot = resolve(root);
  const info = await stat(absoluteRoot).catch((err: unknown) => {
    throw new InvalidInputError(`folder not found: ${absoluteRoot}`, 'INPUT_NOT_FOUND', err);
  });
  if (!info.isDirectory()) throw new InvalidInputError(`not a folder: ${absoluteRoot}`, 'INPUT_NOT_FOUND');

  const found: FolderImage[] = [];
  const visit = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await visit(path);
      else if (entry.isFile() && IMAGE_EXTENSIONS.includes(extname(entry.name).toLowerCase())) {
        found.push({ path, uri: pathToFileURL(path).href, category: categoryOf(absoluteRoot, path) });
      }
    }
  };
  await visit(absoluteRoot);
  return found;
}

/** `train/dress/x.jpg` → `dress`: the file's parent folder, unless that is the walked root itself. */
export function categoryOf(absoluteRoot: string, filePath: string): string | undefined {
  const parent = dirname(filePath);
  return parent === absoluteRoot ? undefined : basename(parent);
}

/** Lowercase hex SHA-256 of a file's bytes, streamed. */
export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
