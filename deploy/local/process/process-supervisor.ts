import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { StackError } from '../stack-error';
import { isRecordAlive, PidRecord, readPidRecord, removePidRecord, writePidRecord } from './pid-file';
import { readProcStat } from './proc-stat';

/** How to run one long-lived process in the foreground; the supervisor detaches it. */
export interface LaunchSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Run as this uid/gid (used when we are root and the program refuses root). */
  readonly uid?: number;
  readonly gid?: number;
}

/** A process started by this `up`: its record, and how it ended if it already did. */
export interface StartedProcess {
  readonly record: PidRecord;
  /** Undefined while running; "exit code 1" / "signal SIGKILL" once it ended. */
  exited(): string | undefined;
}

/**
 * Starts `spec` in its own session and process group (so `down` can signal the
 * whole group, e.g. Elasticsearch's launcher and its server JVM), appends its
 * stdout and stderr to `logFile`, and records pid and start time in `pidFile`.
 */
export function startDetached(spec: LaunchSpec, logFile: string, pidFile: string): StartedProcess {
  mkdirSync(dirname(logFile), { recursive: true });
  const fd = openSync(logFile, 'a');
  writeSync(fd, `\n=== ${new Date().toISOString()} stack up: ${spec.command} ${spec.args.join(' ')}\n`);
  let ended: string | undefined;
  const child = spawn(spec.command, [...spec.args], {
    cwd: spec.cwd,
    env: spec.env,
    detached: true,
    stdio: ['ignore', fd, fd],
    uid: spec.uid,
    gid: spec.gid,
  });
  closeSync(fd);
  child.once('error', (error: NodeJS.ErrnoException) => {
    ended = error.code === 'ENOENT' ? `${spec.command} not found` : error.message;
  });
  child.once('exit', (code, signal) => {
    ended = signal === null ? `exit code ${String(code)}` : `signal ${signal}`;
  });
  child.unref();
  if (child.pid === undefined) throw new StackError(`could not start ${spec.command}`);
  const stat = readProcStat(child.pid);
  const record: PidRecord = {
    pid: child.pid,
    startTime: stat?.startTime ?? -1,
    command: `${spec.command} ${spec.args.join(' ')}`.slice(0, 500),
    startedAt: new Date().toISOString(),
  };
  writePidRecord(pidFile, record);
  return { record, exited: () => ended };
}

/** The record in `pidFile` when that process still runs, else undefined. */
export function runningFromPidFile(pidFile: string): PidRecord | undefined {
  const record = readPidRecord(pidFile);
  return record !== undefined && isRecordAlive(record) ? record : undefined;
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // group already gone
  }
}

export type StopOutcome = 'not-running' | 'stopped' | 'killed';

/**
 * Stops what `pidFile` records, and only that: SIGTERM to its process group,
 * then SIGKILL when it has not exited within `graceMs`. A stale record (process
 * gone, or pid reused by another program) is removed without signalling anyone.
 */
export async function stopFromPidFile(pidFile: string, graceMs: number): Promise<StopOutcome> {
  const record = readPidRecord(pidFile);
  if (record === undefined || !isRecordAlive(record)) {
    removePidRecord(pidFile);
    return 'not-running';
  }
  const pgid = record.pid;
  signalGroup(pgid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isRecordAlive(record) && !liveMembers(pgid)) {
      removePidRecord(pidFile);
      return 'stopped';
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  signalGroup(pgid, 'SIGKILL');
  const killDeadline = Date.now() + 5000;
  while (Date.now() < killDeadline && isRecordAlive(record)) await new Promise((resolve) => setTimeout(resolve, 100));
  removePidRecord(pidFile);
  return 'killed';
}

/** True while the group has a member that is not a zombie (zombies wait for a reaper, not for us). */
function liveMembers(pgid: number): boolean {
  if (!groupAlive(pgid)) return false;
  // kill(-pgid, 0) also succeeds for zombies; look for a non-zombie member.
  return readdirSync('/proc').some((entry) => /^\d+$/.test(entry) && readProcStat(Number(entry))?.pgrp === pgid);
}
