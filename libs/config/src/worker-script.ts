import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What a worker_threads Worker runs for `<dir>/<base>.thread`: the compiled
 * `.js` when the code is built (`entry` undefined), otherwise the shared
 * source-mode loader, which compiles and requires `entry` (the `.ts` file)
 * — pass `entry` to the worker in its `workerData`.
 */
export function workerScript(dir: string, base: string): { script: string; entry: string | undefined } {
  const compiled = join(dir, `${base}.thread.js`);
  if (existsSync(compiled)) return { script: compiled, entry: undefined };
  return { script: join(__dirname, 'worker-source-loader.js'), entry: join(dir, `${base}.thread.ts`) };
}
