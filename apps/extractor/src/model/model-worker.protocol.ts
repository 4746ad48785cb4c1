import type { ExecutionProvider, ModelManifest, ModelRuntimeOptions } from '@stylestream/model';

/** What the model worker thread is started with. */
export interface ModelWorkerData {
  readonly options: ModelRuntimeOptions;
  /** Source mode only (tests without a build): the .ts entry the loader compiles. */
  readonly entry?: string;
}

/** Main thread → worker: embed `n` images laid out in `batch` (its buffer is transferred). */
export interface ModelWorkerRequest {
  readonly id: number;
  readonly batch: Float32Array;
  readonly n: number;
}

/** Worker → main thread. */
export type ModelWorkerMessage =
  | { readonly kind: 'ready'; readonly manifest: ModelManifest; readonly inputSize: number; readonly dim: number; readonly executionProviders: ExecutionProvider[] }
  | { readonly kind: 'load-failed'; readonly error: SerializedError }
  | { readonly kind: 'warning'; readonly message: string }
  | { readonly kind: 'result'; readonly id: number; readonly vectors: Float32Array }
  | { readonly kind: 'failed'; readonly id: number; readonly error: SerializedError };

/** An error crossing the thread boundary: enough to rebuild a StyleStreamError-shaped error. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly retriable: boolean;
}
