#!/usr/bin/env bash
# The test command of README.md: static checks, unit tests, then integration
# tests against the real local stack (started here if it is not running).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "dependencies (system packages, node modules)"
bash deploy/local/system-packages.sh
bash deploy/local/node-deps.sh

step "build"
npm run -s build
step "typecheck"
npm run -s typecheck
step "lint"
npm run -s lint

step "unit tests"
mkdir -p .data/test-results
npx jest --selectProjects unit --json --outputFile=.data/test-results/unit.json

step "local stack (Kafka, schema registry, Elasticsearch, Prometheus, Alertmanager)"
npm run -s stack -- up

step "python client venv (Confluent interop tests)"
bash test/interop/setup-venv.sh

step "default model (ONNX, built from nsfwjs when missing; cached)"
node dist/libs/model/src/cli/model-build.cli.js --models-dir models

step "integration tests"
npx jest --selectProjects integration --runInBand --json --outputFile=.data/test-results/integration.json

node -e '
const files = [".data/test-results/unit.json", ".data/test-results/integration.json"];
let passed = 0, failed = 0, skipped = 0;
for (const f of files) { const r = require("./" + f); passed += r.numPassedTests; failed += r.numFailedTests; skipped += r.numPendingTests; }
console.log(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
'
