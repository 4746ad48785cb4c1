import type { ShardHost, ShardHostOptions } from './shard-host.port';

/** The ShardHost methods a worker answers. */
export type ShardWorkerMethod = Exclude<keyof ShardHost, 'close'>;

/** Main → worker: call `method` with `args`; the reply carries the same id. */
export interface ShardWorkerRequest {
  readonly id: number;
  readonly method: ShardWorkerMethod;
  readonly args: readonly unknown[];
}

/** Worker → main, unasked: a ShardHostListener call. */
export interface ShardWorkerEvent {
  readonly event: 'snapshot-written';
  readonly partition: number;
}

/** Worker → main. An error crosses as plain data and is rebuilt as an InternalError. */
export type ShardWorkerReply =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly error: { readonly name: string; readonly message: string } };

/** `workerData` of a shard worker. */
export interface ShardWorkerData {
  readonly options: ShardHostOptions;
  /** Source mode only: the TypeScript entry the loader compiles on the fly. */
  readonly entry?: string;
}
