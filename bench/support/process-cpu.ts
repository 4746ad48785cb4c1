import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

/**
 * CPU seconds (user + system, all threads: worker threads and native pools included)
 * that process `pid` has used so far, from /proc/<pid>/stat. Throughput on a shared
 * machine moves by several % between identical runs; the CPU a process spends per
 * item moves much less, so cost comparisons (metrics on vs off) read this.
 */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces and parentheses: fields are counted after its last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of the full line (utime, stime) are 12 and 13 after the name and state.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`cannot read CPU times of process ${pid} from /proc/${pid}/stat`);
  return (utime + stime) / USER_HZ;
}

/** Median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Cost of metrics from runs with them on and off: relative extra CPU per item and
 * relative loss of throughput, each from the medians (so one disturbed run does not decide).
 */
export function metricsCost(on: readonly { perSecond: number; cpuPerItem: number }[], off: readonly { perSecond: number; cpuPerItem: number }[]): { cpuPct: number; throughputPct: number } {
  const cpuOn = median(on.map((r) => r.cpuPerItem));
  const cpuOff = median(off.map((r) => r.cpuPerItem));
  const rateOn = median(on.map((r) => r.perSecond));
  const rateOff = median(off.map((r) => r.perSecond));
  return { cpuPct: ((cpuOn - cpuOff) / cpuOff) * 100, throughputPct: ((rateOff - rateOn) / rateOff) * 100 };
}
