#!/usr/bin/env bash
# Runs `npm ci` when node_modules is missing or older than package-lock.json,
# so the README's commands work from a fresh clone.
set -euo pipefail
cd "$(dirname "$0")/../.."
marker=node_modules/.package-lock.json
if [ ! -f "$marker" ] || [ package-lock.json -nt "$marker" ]; then
  echo "installing node dependencies (npm ci)"
  if ! ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund; then
    # npm ci refuses a lockfile that lacks optional platform packages the
    # registry does not serve (chdb's darwin/arm64 builds answer 404 here);
    # npm install accepts it. --no-save leaves package-lock.json as it is.
    echo "npm ci failed; trying npm install --no-save"
    ONNXRUNTIME_NODE_INSTALL=skip npm install --no-save --no-audit --no-fund
  fi
fi
