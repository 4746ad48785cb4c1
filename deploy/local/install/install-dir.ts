import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const MARKER = '.installed';

/** True when `dir` holds a finished install. */
export function isInstalledDir(dir: string): boolean {
  return existsSync(join(dir, MARKER));
}

/**
 * Fills `dir` atomically: `fill` works in `<dir>.partial` (wiped first, so an
 * interrupted install is redone, never half-used), then the marker is written
 * and the folder renamed into place.
 */
export async function installInto(dir: string, fill: (work: string) => Promise<void>): Promise<void> {
  const work = `${dir}.partial`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  await fill(work);
  writeFileSync(join(work, MARKER), `${new Date().toISOString()}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(work, dir);
}
