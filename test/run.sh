#!/usr/bin/env bash
# The test command of README.md: static checks, unit tests, then integration
# tests against the real local stack (started here if it is not running).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "build"
npm run -s build
step "typecheck"
npm run -s typecheck
step "lint"
npm run -s lint

step "unit tests"
npx jest --selectProjects unit

step "local stack (Kafka, schema registry, Elasticsearch, Prometheus, Alertmanager)"
npm run -s stack -- up

step "python client venv (Confluent interop tests)"
bash test/interop/setup-venv.sh

step "integration tests"
npx jest --selectProjects integration --runInBand
