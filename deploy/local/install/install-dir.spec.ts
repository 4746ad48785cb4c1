import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installInto, isInstalledDir } from './install-dir';

describe('installInto', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'install-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('puts a finished install in place with its marker', async () => {
    const dir = join(root, 'kafka-4.4.0');
    await installInto(dir, (work) => Promise.resolve(writeFileSync(join(work, 'a.jar'), 'x')));
    expect(isInstalledDir(dir)).toBe(true);
    expect(readFileSync(join(dir, 'a.jar'), 'utf8')).toBe('x');
    expect(existsSync(`${dir}.partial`)).toBe(false);
  });

  it('leaves nothing usable when the install fails, and redoes it from scratch next time', async () => {
    const dir = join(root, 'es');
    await expect(
      installInto(dir, (work) => {
        writeFileSync(join(work, 'half'), 'x');
        return Promise.reject(new Error('download failed'));
      }),
    ).rejects.toThrow('download failed');
    expect(isInstalledDir(dir)).toBe(false);
    await installInto(dir, (work) => Promise.resolve(writeFileSync(join(work, 'whole'), 'y')));
    expect(existsSync(join(dir, 'half'))).toBe(false);
    expect(isInstalledDir(dir)).toBe(true);
  });
});
