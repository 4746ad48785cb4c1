import { runCommand } from '../process/command-runner';

/** "2.42.0+ds" from `<binary> --version` ("prometheus, version 2.42.0+ds (branch: ...)"), or "not installed". */
export async function binaryVersion(binary: string): Promise<string> {
  try {
    const { stdout, stderr } = await runCommand(binary, ['--version'], { what: `${binary} --version`, timeoutMs: 5000 });
    return /version (\S+)/.exec(`${stdout}${stderr}`)?.[1] ?? '?';
  } catch {
    return 'not installed';
  }
}
