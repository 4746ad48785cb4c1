import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '../..');
export const venvPython = join(root, '.venv/bin/python');
export const pythonScripts = join(__dirname, 'python');

/**
 * Whether the interop venv exists. Without it the tests fail under CI=true
 * (CI must have run setup-venv.sh) and are skipped with a message elsewhere.
 */
export function interopVenvMissing(): string | undefined {
  if (existsSync(venvPython)) return undefined;
  return `the Python interop venv is missing (${venvPython}); create it with: bash test/interop/setup-venv.sh`;
}

/** Runs a script of test/interop/python with the venv's interpreter; rejects with its stderr on failure. */
export function runPythonScript(script: string, args: string[], timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(venvPython, [join(pythonScripts, script), ...args], { timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err !== null) {
        reject(new Error(`${script} failed (${err.message}):\n${stderr}\n${stdout}`));
        return;
      }
      resolve(stdout);
    });
  });
}
