import { readFileSync } from 'node:fs';

/** The fields of /proc/<pid>/stat the stack needs. */
export interface ProcStat {
  readonly pid: number;
  readonly comm: string;
  /** R, S, D, Z (zombie), T, ... */
  readonly state: string;
  readonly pgrp: number;
  /** Start time in clock ticks after boot: with the pid, it identifies one process. */
  readonly startTime: number;
}

/** Parses a /proc/<pid>/stat line; `comm` may contain spaces and parentheses. */
export function parseProcStat(line: string): ProcStat {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open < 0 || close < open) throw new Error(`not a /proc stat line: ${line.slice(0, 80)}`);
  const rest = line.slice(close + 2).trim().split(/\s+/);
  // rest[0] is field 3 (state); starttime is field 22.
  return {
    pid: Number(line.slice(0, open).trim()),
    comm: line.slice(open + 1, close),
    state: rest[0] ?? '?',
    pgrp: Number(rest[2]),
    startTime: Number(rest[19]),
  };
}

/** The stat of a live process, or undefined when it is gone or a zombie. */
export function readProcStat(pid: number): ProcStat | undefined {
  try {
    const stat = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    return stat.state === 'Z' || stat.state === 'X' ? undefined : stat;
  } catch {
    return undefined;
  }
}

/** The short command name of a process (as `ps -o comm` shows it), or '?'. */
export function processName(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}

/** Resident set size of a process in KiB (VmRSS), or undefined. */
export function residentKiB(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}
