import { StackInstaller } from '../install/stack-installer';
import { ProbeResult } from '../process/health-wait';
import { LaunchSpec } from '../process/process-supervisor';

/**
 * One long-running process of the local stack.
 *
 * Lifecycle on `up`: the installers run (skipped when installed), then
 * `prepare` (writes config, formats storage; idempotent, may run on every up),
 * then `launch` gives the command the supervisor detaches, then `probe` is
 * polled until healthy or `startDeadlineMs` passes. A service starts as soon as
 * every service named in `after` is healthy; all others start at once.
 * `probe` never throws: a failure is `{ healthy: false, reason }`, and it gives
 * up within a few seconds, so status stays quick when a service hangs.
 */
export interface StackService {
  /** Unique; names the pid file and the log file (kafka-1, elasticsearch, ...). */
  readonly name: string;
  /** Ports it listens on; the first is the one clients use. */
  readonly ports: readonly number[];
  /** Services that must be healthy before this one starts (the registry waits for the Kafka nodes). */
  readonly after: readonly string[];
  readonly startDeadlineMs: number;
  /** How long `down` waits after SIGTERM before SIGKILL. */
  readonly stopGraceMs: number;
  readonly installers: readonly StackInstaller[];
  version(): Promise<string>;
  /** Undefined when it can start; else the word status shows instead (e.g. "not built"). */
  notStartable(): string | undefined;
  prepare(log: (line: string) => void): Promise<void>;
  launch(): Promise<LaunchSpec>;
  probe(): Promise<ProbeResult>;
}
