import { Stats } from 'node:fs';
import { findUser, untraversableAncestor } from './run-as-user';

describe('findUser', () => {
  it('reads uid and gid from passwd text', () => {
    const passwd = 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n';
    expect(findUser(passwd, 'nobody')).toEqual({ name: 'nobody', uid: 65534, gid: 65534 });
    expect(findUser(passwd, 'elastic')).toBeUndefined();
  });
});

describe('untraversableAncestor', () => {
  const nobody = { name: 'nobody', uid: 65534, gid: 65534 };
  const modes: Record<string, number> = { '/': 0o755, '/root': 0o700, '/root/repo': 0o755, '/work': 0o755, '/work/repo': 0o755 };
  const stat = ((path: string) => ({ uid: 0, gid: 0, mode: modes[path] ?? 0o755 }) as Stats) as unknown as typeof import('node:fs').statSync;

  it('names the folder the user cannot enter', () => {
    expect(untraversableAncestor('/root/repo', nobody, stat)).toBe('/root');
  });

  it('passes when every ancestor can be entered', () => {
    expect(untraversableAncestor('/work/repo', nobody, stat)).toBeUndefined();
  });
});
