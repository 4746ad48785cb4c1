import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { StackError } from '../stack-error';
import { lastLines } from './log-tail';

/** The absolute path of `name` on PATH, or undefined. */
export function findExecutable(name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export interface CommandResult {
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a command to completion. A missing program fails as "<name> not found";
 * a non-zero exit fails as "<what> failed (exit N)" with the last output lines.
 */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { what: string; cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = { what: command },
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeoutMs,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'ENOENT' ? new StackError(`${command} not found`, error) : new StackError(`${options.what}: ${error.message}`, error));
    });
    child.once('close', (code, signal) => {
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      if (code === 0) {
        resolve({ stdout, stderr });
        return;
      }
      const how = signal === null ? `exit ${String(code)}` : `killed by ${signal}`;
      const tail = lastLines(`${stdout}\n${stderr}`.trim(), 15);
      reject(new StackError(`${options.what} failed (${how})${tail === '' ? '' : `; last output lines:\n${tail}`}`));
    });
  });
}
