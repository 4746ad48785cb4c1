import { promises as fs } from 'node:fs';
import { dirname } from 'node:path';

/** fsyncs a file or directory so a completed write or rename survives a power loss. */
export async function fsyncPath(path: string): Promise<void> {
  const handle = await fs.open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Makes `path` appear with the bytes `write(tmp)` produced, all or nothing:
 * write to `<path>.tmp`, fsync it, rename over `path`, fsync the directory.
 * A crash leaves either the old file (plus maybe a stray .tmp) or the new one.
 */
export async function replaceAtomically(path: string, write: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = `${path}.tmp`;
  await write(tmp);
  await fsyncPath(tmp);
  await fs.rename(tmp, path);
  await fsyncPath(dirname(path));
}

export async function writeJsonAtomically(path: string, value: unknown): Promise<void> {
  await replaceAtomically(path, (tmp) => fs.writeFile(tmp, JSON.stringify(value)));
}
