#!/usr/bin/env bash
# `npm run demo [-- --images DIR | --generate N] [--no-serve]`: the first command
# of the README. Installs dependencies when needed, builds, then hands over to
# the demo CLI (exec: Ctrl-C goes straight to it, and it cleans up).
set -euo pipefail
cd "$(dirname "$0")/../.."

# npm writes node_modules/.package-lock.json on every install; a lockfile newer
# than it (a pull that changed dependencies) or no install at all means `npm ci`.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "demo: installing dependencies (npm ci)"
  ONNXRUNTIME_NODE_INSTALL=skip npm ci
fi

echo "demo: building (npm run build)"
started=$(date +%s%N)
npm run -s build
echo "demo: built in $(( ($(date +%s%N) - started) / 1000000 )) ms"

exec node dist/deploy/local/demo-cli.js "$@"
