/**
 * Jest environment for tests that run onnxruntime-node. Jest gives each test file its
 * own realm, so typed arrays made by the native binding (outer realm) fail
 * onnxruntime-common's `instanceof Float32Array` checks (inner realm). Sharing the
 * outer realm's typed-array constructors makes both sides agree.
 * Use with a `@jest-environment ./libs/model/src/testing/onnx-jest.environment.js` docblock.
 */
const { TestEnvironment } = require('jest-environment-node');

const shared = [
  'ArrayBuffer', 'SharedArrayBuffer', 'DataView', 'Float32Array', 'Float64Array', 'Int8Array', 'Int16Array', 'Int32Array',
  'Uint8Array', 'Uint8ClampedArray', 'Uint16Array', 'Uint32Array', 'BigInt64Array', 'BigUint64Array',
];

class OnnxJestEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of shared) this.global[name] = globalThis[name];
  }
}

module.exports = OnnxJestEnvironment;
