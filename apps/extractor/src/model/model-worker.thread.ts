import { parentPort, workerData } from 'node:worker_threads';
import { isRetriable } from '@stylestream/errors';
import { loadModel, type ModelEmbedder } from '@stylestream/model';
import type { ModelWorkerData, ModelWorkerMessage, ModelWorkerRequest, SerializedError } from './model-worker.protocol';

/**
 * The model worker thread: owns the onnxruntime session. onnxruntime-node's
 * `session.run` executes synchronously on the calling JS thread, so running it
 * here keeps the extractor's event loop free (fetches, decodes, Kafka heartbeats
 * and publishes go on while the model computes).
 */
if (parentPort === null) throw new Error('model-worker.thread must run in a worker thread');
const port = parentPort;
const send = (message: ModelWorkerMessage) => port.postMessage(message);
const serialize = (err: unknown): SerializedError => ({
  name: err instanceof Error ? err.name : 'Error',
  message: err instanceof Error ? err.message : String(err),
  code: typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined,
  retriable: isRetriable(err),
});

async function main(): Promise<void> {
  let embedder: ModelEmbedder;
  try {
    embedder = await loadModel((workerData as ModelWorkerData).options, { warn: (message: string) => send({ kind: 'warning', message }) });
  } catch (err) {
    send({ kind: 'load-failed', error: serialize(err) });
    return;
  }
  const inFlight = new Set<Promise<void>>();
  port.on('message', (request: ModelWorkerRequest | 'release') => {
    if (request === 'release') {
      // Calls already received finish first; then the session is released and the thread ends.
      void Promise.all(inFlight)
        .then(() => embedder.release())
        .finally(() => port.close());
      return;
    }
    const call = embedder.embed(request.batch, request.n).then(
      (vectors) => send({ kind: 'result', id: request.id, vectors }), // copied (a few KB): an output tensor's buffer may not be detachable
      (err: unknown) => send({ kind: 'failed', id: request.id, error: serialize(err) }),
    );
    inFlight.add(call);
    void call.finally(() => inFlight.delete(call));
  });
  send({ kind: 'ready', manifest: embedder.manifest, inputSize: embedder.inputSize, dim: embedder.dim, executionProviders: embedder.executionProviders });
}

void main();
