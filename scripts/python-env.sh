#!/usr/bin/env bash
# Creates (or refreshes) the Python virtual environment with the pinned MLflow client that the
# compatibility tests and benchmarks use. Prints the venv's python path.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${MODELYARD_VENV:-.cache/venv}"
REQ=test/compat/requirements.txt
STAMP="$VENV/.requirements.sha256"
want=$(sha256sum "$REQ" | cut -d' ' -f1)
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV" >&2
fi
if [ "$(cat "$STAMP" 2>/dev/null)" != "$want" ]; then
  echo "installing the pinned MLflow client into $VENV (takes a few minutes the first time)" >&2
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --upgrade pip >&2
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQ" >&2
  echo "$want" > "$STAMP"
fi
echo "$PWD/$VENV/bin/python"
