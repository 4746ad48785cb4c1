import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findRepoRoot } from '@stylestream/schemas';
import { interopVenvMissing } from '../../test/interop/python-venv';

// Validates the rendered manifests offline against the Kubernetes API's JSON
// schemas with kubernetes-validate (PyPI, pinned in test/interop/requirements.txt,
// installed into .venv by test/interop/setup-venv.sh). Strict: unknown fields fail.
jest.setTimeout(120_000);

const root = findRepoRoot();
const validator = join(root, '.venv', 'bin', 'kubernetes-validate');
const manifestsDir = join(root, 'deploy', 'k8s', 'manifests');

function validate(files: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(validator, ['--strict', '--kubernetes-version', '1.33.0', ...files], { timeout: 100_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

const missing = interopVenvMissing();
if (missing !== undefined) throw new Error(`${missing}: the manifest validation needs kubernetes-validate from it`);

describe('Kubernetes manifests under deploy/k8s/manifests', () => {
  it('validate strictly against the Kubernetes 1.33 API schemas', async () => {
    const files = readdirSync(manifestsDir)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => join(manifestsDir, f));
    expect(files.length).toBeGreaterThan(8);
    const result = await validate(files);
    expect(result.output).not.toMatch(/ERROR/);
    expect(result.code).toBe(0);
  });

  it('the validator rejects a manifest with a wrongly typed and an unknown field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8s-bad-'));
    try {
      const bad = join(dir, 'bad.yaml');
      writeFileSync(bad, 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: bad\nspec:\n  replicas: two\n  selector: {}\n  template: {}\n');
      const result = await validate([bad]);
      expect(result.code).not.toBe(0);
      expect(result.output).toMatch(/replicas/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
