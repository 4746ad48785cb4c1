import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findPortOwners } from './process/port-probe';
import { runningFromPidFile } from './process/process-supervisor';
import { readProcStat, residentKiB } from './process/proc-stat';
import { StackService } from './services/stack-service';
import { StackLayout } from './stack-layout';
import { buildStackServices, readTopology } from './stack-services';
import { StackSettings } from './stack-settings';

export interface StatusRow {
  readonly component: string;
  readonly version: string;
  readonly port: string;
  readonly pid: string;
  readonly health: string;
  /** Resident memory of the process group's leader and its children, in MiB. */
  readonly rssMiB?: number;
  readonly healthy: boolean;
}

/** RSS of every process in the group `pgid` leads (Elasticsearch's launcher runs the server JVM as a child). */
function groupRssMiB(pgid: number): number | undefined {
  let total = 0;
  let seen = false;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || readProcStat(Number(entry))?.pgrp !== pgid) continue;
    total += residentKiB(Number(entry)) ?? 0;
    seen = true;
  }
  return seen ? Math.round(total / 1024) : undefined;
}

async function serviceRow(service: StackService, layout: StackLayout): Promise<StatusRow> {
  const base = { component: service.name, version: await service.version(), port: String(service.ports[0] ?? '-') };
  const running = runningFromPidFile(layout.pidFile(service.name));
  if (running !== undefined) {
    const probe = await service.probe();
    return {
      ...base,
      pid: String(running.pid),
      health: probe.healthy ? `healthy${probe.detail === undefined ? '' : ` (${probe.detail})`}` : `unhealthy: ${probe.reason}`,
      rssMiB: groupRssMiB(running.pid),
      healthy: probe.healthy,
    };
  }
  const notStartable = service.notStartable();
  const owners = service.ports.flatMap((port) => findPortOwners(port).map((o) => `port ${port} held by pid ${o.pid} (${o.name})`));
  const health = owners.length > 0 ? `not started by this stack; ${owners.join(', ')}` : (notStartable ?? 'stopped');
  return { ...base, pid: '-', health, healthy: false };
}

function clickhouseRow(repoDir: string): StatusRow {
  const pkg = join(repoDir, 'node_modules', 'chdb', 'package.json');
  const version = existsSync(pkg) ? `chdb ${(JSON.parse(readFileSync(pkg, 'utf8')) as { version?: string }).version ?? '?'}` : 'chdb (not installed)';
  return { component: 'clickhouse', version, port: '-', pid: '-', health: 'embedded (in-process, nothing to start)', healthy: true };
}

/** One row per component of the last `up` topology, probed concurrently. */
export async function stackStatus(settings: StackSettings): Promise<StatusRow[]> {
  const layout = new StackLayout(settings.stackDir);
  const services = buildStackServices(settings, readTopology(layout).brokers);
  const rows = await Promise.all(services.map((s) => serviceRow(s, layout)));
  return [...rows, clickhouseRow(settings.repoDir)];
}
