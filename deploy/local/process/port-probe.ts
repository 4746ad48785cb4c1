import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { processName } from './proc-stat';

/** A process found listening on a TCP port. */
export interface PortOwner {
  readonly pid: number;
  readonly name: string;
}

/**
 * Inodes of sockets in LISTEN state on `port`, from the text of
 * /proc/net/tcp or /proc/net/tcp6 (any local address).
 */
export function listeningInodes(procNetTcp: string, port: number): string[] {
  const inodes: string[] = [];
  for (const line of procNetTcp.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 10) continue;
    const local = fields[1] ?? '';
    const state = fields[3];
    const portHex = local.slice(local.lastIndexOf(':') + 1);
    if (state === '0A' && parseInt(portHex, 16) === port) inodes.push(fields[9] ?? '');
  }
  return inodes.filter((inode) => inode !== '' && inode !== '0');
}

/** The processes holding a listening socket on `port` (empty when unknown or none). */
export function findPortOwners(port: number): PortOwner[] {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    try {
      for (const inode of listeningInodes(readFileSync(table, 'utf8'), port)) inodes.add(`socket:[${inode}]`);
    } catch {
      // table absent (no IPv6): nothing listens there
    }
  }
  if (inodes.size === 0) return [];
  const owners: PortOwner[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${entry}/fd/${fd}`);
      } catch {
        continue;
      }
      if (inodes.has(target)) {
        owners.push({ pid: Number(entry), name: processName(Number(entry)) });
        break;
      }
    }
  }
  return owners;
}

/** True when nothing can stop us binding 127.0.0.1:`port` right now. */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

/** "port 9092 in use by pid 42 (java)" — the plain words for a taken port. */
export function describePortInUse(port: number, owners: readonly PortOwner[]): string {
  if (owners.length === 0) return `port ${port} in use (owner not visible)`;
  return `port ${port} in use by ${owners.map((o) => `pid ${o.pid} (${o.name})`).join(', ')}`;
}
