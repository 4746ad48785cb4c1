import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { readProcStat } from './proc-stat';

/**
 * What `up` records about a process it started. The start time guards against
 * pid reuse: `down` signals a pid only while pid and start time still match.
 */
export interface PidRecord {
  readonly pid: number;
  readonly startTime: number;
  readonly command: string;
  readonly startedAt: string;
}

export function writePidRecord(file: string, record: PidRecord): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(record)}\n`);
  renameSync(tmp, file);
}

/** The record in `file`, or undefined when there is none or it is unreadable. */
export function readPidRecord(file: string): PidRecord | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  return parsePidRecord(text);
}

export function parsePidRecord(text: string): PidRecord | undefined {
  try {
    const value = JSON.parse(text) as Partial<PidRecord>;
    if (typeof value.pid !== 'number' || typeof value.startTime !== 'number') return undefined;
    return {
      pid: value.pid,
      startTime: value.startTime,
      command: typeof value.command === 'string' ? value.command : '?',
      startedAt: typeof value.startedAt === 'string' ? value.startedAt : '?',
    };
  } catch {
    return undefined;
  }
}

export function removePidRecord(file: string): void {
  rmSync(file, { force: true });
}

/** True while the recorded process still runs (same pid, same start time, not a zombie). */
export function isRecordAlive(record: PidRecord, statOf = readProcStat): boolean {
  const stat = statOf(record.pid);
  return stat !== undefined && stat.startTime === record.startTime;
}
