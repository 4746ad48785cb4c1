import type { RegistryRecord } from './registry-record';

/** Where the log stands, for /health and metrics. */
export interface SchemaLogStatus {
  /** Every record present when the log was opened has been applied. */
  readonly caughtUp: boolean;
  /** Another instance took over the single-writer role; writes now fail. */
  readonly fenced: boolean;
  /** Offset of the next record the tail will apply. */
  readonly position: number;
}

/**
 * The durable, ordered log the registry state is rebuilt from (port).
 *
 * Contract:
 * - `open(apply)` replays the whole log through `apply`, in log order, then
 *   keeps tailing; it resolves once everything present at open time has been
 *   applied, or rejects (RegistryError 50001/50002) if that fails or times out.
 *   `apply` is only ever called from the tail, never concurrently.
 * - `catchUp()` resolves once every record committed before the call has been
 *   applied. A writer calls it before deciding, so it decides on the full log.
 * - `append(records)` writes the records atomically (all or none) and resolves
 *   only after the tail has applied them (read-your-write). Callers serialise
 *   appends themselves. Rejects with RegistryError 50001 (retriable) when the
 *   store is unavailable or this instance has been fenced by a newer writer.
 * - `close()` stops tailing and releases connections; idempotent.
 */
export interface SchemaLog {
  open(apply: (record: RegistryRecord) => void): Promise<void>;
  catchUp(): Promise<void>;
  append(records: readonly RegistryRecord[]): Promise<void>;
  status(): SchemaLogStatus;
  close(): Promise<void>;
}
