import { waitHealthy } from './process/health-wait';
import { tailFile } from './process/log-tail';
import { describePortInUse, findPortOwners, isPortFree } from './process/port-probe';
import { runningFromPidFile, startDetached, stopFromPidFile } from './process/process-supervisor';
import { StackService } from './services/stack-service';
import { StackError } from './stack-error';
import { StackLayout } from './stack-layout';

export type StartOutcome =
  | { readonly kind: 'started'; readonly pid: number; readonly seconds: number; readonly detail?: string }
  | { readonly kind: 'already-running'; readonly pid: number }
  | { readonly kind: 'skipped'; readonly reason: string };

/**
 * Brings one service up: reuses a healthy process that an earlier `up` started,
 * refuses a port held by anyone else, prepares, launches detached and waits for
 * health within the service's deadline. A process that does not become healthy
 * is stopped again, so the next `up` starts from a clean slate.
 */
export async function startService(service: StackService, layout: StackLayout, log: (line: string) => void): Promise<StartOutcome> {
  const notStartable = service.notStartable();
  if (notStartable !== undefined) return { kind: 'skipped', reason: notStartable };
  const pidFile = layout.pidFile(service.name);
  const logFile = layout.log(service.name);
  const tail = (): string => tailFile(logFile, 15);
  const running = runningFromPidFile(pidFile);
  if (running !== undefined) {
    await waitHealthy(() => service.probe(), { what: service.name, deadlineMs: service.startDeadlineMs, logTail: tail });
    log(`${service.name}: already running (pid ${running.pid})`);
    return { kind: 'already-running', pid: running.pid };
  }
  for (const port of service.ports) {
    if (!(await isPortFree(port))) throw new StackError(`${service.name}: ${describePortInUse(port, findPortOwners(port))}`);
  }
  const started = Date.now();
  await service.prepare(log);
  const spec = await service.launch();
  const child = startDetached(spec, logFile, pidFile);
  log(`${service.name}: started pid ${child.record.pid}, waiting for health (deadline ${Math.round(service.startDeadlineMs / 1000)} s)`);
  try {
    const result = await waitHealthy(() => service.probe(), {
      what: service.name,
      deadlineMs: service.startDeadlineMs,
      exited: () => child.exited(),
      logTail: tail,
    });
    const took = (Date.now() - started) / 1000;
    log(`${service.name}: healthy after ${took.toFixed(1)} s`);
    return { kind: 'started', pid: child.record.pid, seconds: took, detail: result.healthy ? result.detail : undefined };
  } catch (err) {
    await stopFromPidFile(pidFile, service.stopGraceMs);
    throw err;
  }
}

/** Stops what the pid file of `name` records; see stopFromPidFile. */
export function stopService(name: string, layout: StackLayout, graceMs: number): ReturnType<typeof stopFromPidFile> {
  return stopFromPidFile(layout.pidFile(name), graceMs);
}

