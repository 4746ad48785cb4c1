/* eslint-disable */
// Source mode of every worker thread (tests run TypeScript without a build):
// compiles the worker's .ts files with @swc/core as they are required and maps
// @stylestream/<lib> to libs/<lib>/src. The built apps never use this file
// (see workerScript in worker-script.ts).
const { workerData } = require('node:worker_threads');
const Module = require('node:module');
const { join, resolve } = require('node:path');
const { readFileSync } = require('node:fs');
const { transformSync } = require('@swc/core');

const root = resolve(__dirname, '../../..');
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const alias = /^@stylestream\/([a-z-]+)$/.exec(request);
  if (alias) return resolveFilename.call(this, join(root, 'libs', alias[1], 'src'), ...rest);
  return resolveFilename.call(this, request, ...rest);
};
require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    filename,
    swcrc: false,
    module: { type: 'commonjs' },
    jsc: { target: 'es2022', parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true } },
  });
  module._compile(code, filename);
};
require(workerData.entry);
