import * as ort from 'onnxruntime-node';
import { ExecutionProvider } from './model-runtime.config';

/** Receives the one warning printed when a requested provider cannot load (a pino logger fits). */
export interface ModelWarningSink {
  warn(message: string): void;
}

/** An open session and the providers it actually runs on. */
export interface OpenedSession {
  session: ort.InferenceSession;
  executionProviders: ExecutionProvider[];
}

/**
 * Opens an onnxruntime-node session. If `cuda` was requested and the session cannot
 * be created with it (no GPU, no CUDA libraries, provider not shipped), it warns once
 * through `warnings` and opens the session on CPU; any other failure is thrown.
 */
export async function openOnnxSession(
  model: string | Uint8Array,
  options: { executionProviders: ExecutionProvider[]; intraOpThreads: number; interOpThreads: number; spinWait?: boolean },
  warnings: ModelWarningSink,
): Promise<OpenedSession> {
  const requested = dedupe([...options.executionProviders, 'cpu']);
  const spin = options.spinWait === false ? '0' : '1';
  const base: ort.InferenceSession.SessionOptions = {
    intraOpNumThreads: options.intraOpThreads,
    interOpNumThreads: options.interOpThreads,
    executionMode: options.interOpThreads > 1 ? 'parallel' : 'sequential',
    graphOptimizationLevel: 'all',
    // Session config keys (onnxruntime_session_options_config_keys.h); the Node binding takes strings.
    extra: { session: { intra_op: { allow_spinning: spin }, inter_op: { allow_spinning: spin } } },
  };
  try {
    // onnxruntime's native logger also prints one line when the CUDA library is absent (its
    // process-wide logger, not the session's, so session log levels cannot hide it).
    const session = await createSession(model, { ...base, executionProviders: requested });
    return { session, executionProviders: requested };
  } catch (err) {
    if (!requested.includes('cuda')) throw err;
    const fallback = requested.filter((p) => p !== 'cuda');
    warnings.warn(
      `execution provider "cuda" could not be loaded (${(err as Error).message.split('\n')[0]}); running model ${typeof model === 'string' ? model : '(composed in memory)'} on ${fallback.join(', ')} instead`,
    );
    const session = await createSession(model, { ...base, executionProviders: fallback });
    return { session, executionProviders: fallback };
  }
}

/** A session from a file path or from the encoded model's bytes (a graph composed at load, e.g. a descriptor over a backbone). */
function createSession(model: string | Uint8Array, options: ort.InferenceSession.SessionOptions): Promise<ort.InferenceSession> {
  return typeof model === 'string' ? ort.InferenceSession.create(model, options) : ort.InferenceSession.create(model, options);
}

function dedupe(providers: ExecutionProvider[]): ExecutionProvider[] {
  return [...new Set(providers)];
}
