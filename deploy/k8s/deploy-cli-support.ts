import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { renderManifests, toYaml } from './render-manifests';

/** Files whose committed text differs from what the renderer produces now. */
export function staleManifests(root: string, dir: string): string[] {
  const rendered = renderManifests(root);
  const stale = rendered.filter((f) => !existsSync(join(dir, f.file)) || readFileSync(join(dir, f.file), 'utf8') !== toYaml(f)).map((f) => f.file);
  const expected = new Set(rendered.map((f) => f.file));
  const extra = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.yaml') && !expected.has(f)) : [];
  return [...stale, ...extra];
}
