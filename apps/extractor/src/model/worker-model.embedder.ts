import { workerScript } from '@stylestream/config';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { DependencyUnavailableError, InternalError, StyleStreamError } from '@stylestream/errors';
import type { ExecutionProvider, ModelManifest, ModelRuntimeOptions } from '@stylestream/model';
import type { ModelWorkerData, ModelWorkerMessage, ModelWorkerRequest, SerializedError } from './model-worker.protocol';

/** An error raised in the model worker, rebuilt on this side with its code and retriability. */
export class ModelWorkerError extends StyleStreamError {
  readonly code: string;
  constructor(error: SerializedError) {
    super(`${error.name}: ${error.message}`, { retriable: error.retriable });
    this.code = error.code ?? 'MODEL_FAILED';
  }
}

interface Waiting {
  resolve(vectors: Float32Array): void;
  reject(err: unknown): void;
}

/**
 * A model embedder whose onnxruntime session lives in a worker thread (see
 * model-worker.thread.ts: onnxruntime-node runs `session.run` synchronously on the
 * calling thread). Same contract as ModelEmbedder.embed: `n` preprocessed images in,
 * `n × dim` floats out (L2 rows when the manifest says so). The batch's buffer is
 * transferred to the worker (the caller must not reuse it). `open` rejects with the
 * loader's error (unknown model, manifest/graph mismatch) so boot stops as before.
 * If the worker dies, every pending and later call rejects with a retriable
 * DependencyUnavailableError (nothing is dead-lettered) and `onFatal` is called:
 * the process should exit and be restarted.
 */
export class WorkerModelEmbedder {
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 0;
  private dead: Error | undefined;

  private constructor(
    private readonly worker: Worker,
    readonly manifest: ModelManifest,
    readonly inputSize: number,
    readonly dim: number,
    readonly executionProviders: ExecutionProvider[],
    logger: Logger,
    onFatal: (err: Error) => void,
  ) {
    worker.on('message', (message: ModelWorkerMessage) => {
      switch (message.kind) {
        case 'result':
          this.settle(message.id)?.resolve(message.vectors);
          return;
        case 'failed':
          this.settle(message.id)?.reject(new ModelWorkerError(message.error));
          return;
        case 'warning':
          logger.warn(message.message);
          return;
        case 'ready':
        case 'load-failed':
          return;
      }
    });
    const die = (err: Error) => {
      const released = this.dead !== undefined;
      this.dead ??= new DependencyUnavailableError('model', 'the model worker thread stopped', err);
      for (const w of this.waiting.values()) w.reject(this.dead);
      this.waiting.clear();
      if (!released) onFatal(this.dead);
    };
    worker.on('error', die);
    worker.on('exit', (code) => die(new InternalError(`model worker exited with code ${code}`)));
  }

  static async open(options: ModelRuntimeOptions, logger: Logger, onFatal: (err: Error) => void): Promise<WorkerModelEmbedder> {
    const { script, entry } = workerScript(__dirname, 'model-worker');
    const workerData: ModelWorkerData = { options, entry };
    const worker = new Worker(script, { workerData, name: 'model-worker' });
    const ready = await new Promise<Extract<ModelWorkerMessage, { kind: 'ready' }>>((resolve, reject) => {
      const onMessage = (message: ModelWorkerMessage) => {
        if (message.kind === 'warning') logger.warn(message.message);
        if (message.kind !== 'ready' && message.kind !== 'load-failed') return;
        worker.off('message', onMessage);
        worker.off('error', reject);
        if (message.kind === 'ready') resolve(message);
        else reject(new ModelWorkerError(message.error));
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
    }).catch(async (err: unknown) => {
      await worker.terminate();
      throw err;
    });
    return new WorkerModelEmbedder(worker, ready.manifest, ready.inputSize, ready.dim, ready.executionProviders, logger, onFatal);
  }

  embed(batch: Float32Array, n: number): Promise<Float32Array> {
    if (this.dead !== undefined) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise<Float32Array>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      const request: ModelWorkerRequest = { id, batch, n };
      this.worker.postMessage(request, [batch.buffer as ArrayBuffer]);
    });
  }

  /** Releases the session and ends the thread; pending calls settle first (the worker handles messages in order). */
  async release(): Promise<void> {
    if (this.dead !== undefined) return;
    this.dead = new InternalError('the model was released');
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.postMessage('release');
    await exited;
  }

  private settle(id: number): Waiting | undefined {
    const w = this.waiting.get(id);
    this.waiting.delete(id);
    return w;
  }
}
