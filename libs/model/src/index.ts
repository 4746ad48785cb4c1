export * from './model-errors';
export * from './manifest/model-manifest.schema';
export * from './manifest/model-manifest.reader';
export * from './session/graph-contract.check';
export * from './session/model-runtime.config';
export * from './session/onnx-session.opener';
export * from './session/model-embedder';
export * from './session/model.loader';
export { buildDefaultModel, DEFAULT_MODEL_ID, CONVERTER_VERSION } from './convert/default-model.build';
