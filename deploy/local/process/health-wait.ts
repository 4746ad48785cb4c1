import { StackError } from '../stack-error';

/** The answer of one health probe. Probes never throw; a failure is a reason. */
export type ProbeResult = { readonly healthy: true; readonly detail?: string } | { readonly healthy: false; readonly reason: string };

export const healthy = (detail?: string): ProbeResult => ({ healthy: true, detail });
export const unhealthy = (reason: string): ProbeResult => ({ healthy: false, reason });

export interface HealthWaitOptions {
  readonly what: string;
  readonly deadlineMs: number;
  readonly intervalMs?: number;
  /** Returns a description when the process has already exited (then waiting stops at once). */
  readonly exited?: () => string | undefined;
  /** Last log lines, quoted in the failure message. */
  readonly logTail?: () => string;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Polls `probe` until healthy or the deadline passes. Fails with
 * "<what> did not become healthy within N s (last probe: ...); last log lines: ..."
 * or "<what> exited (...) during startup; last log lines: ...".
 */
export async function waitHealthy(probe: () => Promise<ProbeResult>, options: HealthWaitOptions): Promise<ProbeResult> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = now() + options.deadlineMs;
  for (;;) {
    const exit = options.exited?.();
    if (exit !== undefined) throw new StackError(`${options.what} exited (${exit}) during startup${logSuffix(options)}`);
    const last = await probe();
    if (last.healthy) return last;
    if (now() >= deadline) {
      const seconds = Math.round(options.deadlineMs / 1000);
      throw new StackError(`${options.what} did not become healthy within ${seconds} s (last probe: ${last.reason})${logSuffix(options)}`);
    }
    await sleep(options.intervalMs ?? 500);
  }
}

function logSuffix(options: HealthWaitOptions): string {
  const tail = options.logTail?.() ?? '';
  return tail === '' ? '' : `; last log lines:\n${tail}`;
}
