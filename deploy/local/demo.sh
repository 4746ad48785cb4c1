#!/usr/bin/env bash
# `npm run demo [-- --images DIR | --generate N] [--no-serve]`: the first command
# of the README. Installs what is missing (system packages, node modules),
# builds, then hands over to the demo CLI (exec: Ctrl-C goes straight to it,
# and it cleans up what it started).
set -euo pipefail
cd "$(dirname "$0")/../.."

bash deploy/local/system-packages.sh
bash deploy/local/node-deps.sh

echo "demo: building (npm run build)"
started=$(date +%s%N)
npm run -s build
echo "demo: built in $(( ($(date +%s%N) - started) / 1000000 )) ms"

exec node dist/deploy/local/demo-cli.js "$@"
