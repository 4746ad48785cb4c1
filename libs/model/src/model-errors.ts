import { StyleStreamError } from '@stylestream/errors';

/** No `models/<id>/manifest.json` exists for the requested model id; the process must not start. */
export class ModelNotFoundError extends StyleStreamError {
  readonly code = 'MODEL_NOT_FOUND';
  constructor(readonly modelId: string, readonly available: readonly string[], cause?: unknown) {
    super(`unknown model id "${modelId}" (available: ${available.length > 0 ? available.join(', ') : 'none'})`, { cause });
  }
}

/** A manifest fails validation, or disagrees with its ONNX graph; each problem is named. */
export class ModelManifestError extends StyleStreamError {
  readonly code = 'MODEL_MANIFEST_INVALID';
  constructor(readonly modelId: string, readonly problems: readonly string[], cause?: unknown) {
    super(`model "${modelId}": ${problems.join('; ')}`, { cause });
  }
}

/** The tfjs source model uses something the converter does not translate. */
export class ModelConversionError extends StyleStreamError {
  readonly code = 'MODEL_CONVERSION_FAILED';
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
  }
}
