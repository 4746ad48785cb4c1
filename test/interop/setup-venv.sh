#!/usr/bin/env bash
# Creates (or reuses) the Python virtual environment of the interop tests at
# <repo>/.venv with test/interop/requirements.txt installed from PyPI.
# Idempotent: when the venv exists and was built from the same requirements
# (sha256 stamp), it does nothing. PYTHON picks the interpreter (default python3).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="$root/.venv"
requirements="$root/test/interop/requirements.txt"
stamp="$venv/.stylestream-requirements.sha256"
python="${PYTHON:-python3}"

if ! command -v "$python" >/dev/null 2>&1; then
  echo "setup-venv: $python not found; install Python 3.9+ (Debian: apt-get install python3 python3-venv)" >&2
  exit 1
fi

want="$(sha256sum "$requirements" | cut -d' ' -f1)"
if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "setup-venv: $venv is up to date"
  exit 0
fi

started=$(date +%s)
if [[ ! -x "$venv/bin/python" ]]; then
  "$python" -m venv "$venv" || {
    echo "setup-venv: '$python -m venv' failed (Debian: apt-get install python3-venv)" >&2
    exit 1
  }
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --requirement "$requirements"
"$venv/bin/python" -c 'import confluent_kafka, fastavro; from confluent_kafka.schema_registry.avro import AvroSerializer' 
echo "$want" > "$stamp"
version="$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("confluent-kafka"))')"
echo "setup-venv: installed confluent-kafka $version into $venv in $(( $(date +%s) - started )) s"
