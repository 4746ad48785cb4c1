import { chownSync, lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { StackError } from '../stack-error';

export interface UserIds {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

/** The uid and gid of `name` from the text of /etc/passwd, or undefined. */
export function findUser(passwd: string, name: string): UserIds | undefined {
  for (const line of passwd.split('\n')) {
    const fields = line.split(':');
    if (fields[0] === name && fields.length >= 4) return { name, uid: Number(fields[2]), gid: Number(fields[3]) };
  }
  return undefined;
}

export function lookupUser(name: string): UserIds {
  const user = findUser(readFileSync('/etc/passwd', 'utf8'), name);
  if (user === undefined) throw new StackError(`user ${name} not found in /etc/passwd`);
  return user;
}

/** The first ancestor of `path` (itself included) that `user` cannot traverse, or undefined. */
export function untraversableAncestor(path: string, user: UserIds, stat = statSync): string | undefined {
  let dir = resolve(path);
  for (;;) {
    const info = stat(dir);
    const canEnter = info.uid === user.uid ? (info.mode & 0o100) !== 0 : info.gid === user.gid ? (info.mode & 0o010) !== 0 : (info.mode & 0o001) !== 0;
    if (!canEnter) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Gives `dir` and everything below it to `user` (skipped when the top already belongs to it). */
export function chownTree(dir: string, user: UserIds): void {
  const top = lstatSync(dir);
  if (top.uid === user.uid && top.gid === user.gid) return;
  const walk = (path: string): void => {
    chownSync(path, user.uid, user.gid);
    if (lstatSync(path).isDirectory()) for (const entry of readdirSync(path)) walk(join(path, entry));
  };
  walk(dir);
}
