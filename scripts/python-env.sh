#!/usr/bin/env bash
# Creates (or reuses) a Python virtual environment with pinned packages and prints its python
# path: by default the MLflow client that the compatibility tests and benchmarks use
# (test/compat/requirements.txt); given another requirements file, a venv of its own for it
# (`scripts/python-env.sh test/fuzz/requirements.txt`: Schemathesis for the fuzz stage).
#
# The venv lives outside the clone, keyed by a hash of what it installs (the requirements file
# and the interpreter's version), so a fresh clone in CI reuses it instead of spending minutes
# on pip. A venv is complete only when its stamp is written last; a half-built one is rebuilt.
# MODELYARD_VENV overrides the location of the default venv (then no key is added).
set -euo pipefail
cd "$(dirname "$0")/.."
REQ=${1:-test/compat/requirements.txt}
CACHE="${MODELYARD_CACHE_DIR:-$HOME/.cache/modelyard-ci}"
key=$( (cat "$REQ"; python3 --version) | sha256sum | cut -c1-16)
VENV="$CACHE/venv-$key"
[ $# -eq 0 ] && VENV="${MODELYARD_VENV:-$VENV}"
STAMP="$VENV/.complete"

mkdir -p "$(dirname "$VENV")"
exec 9>"$VENV.lock"
flock 9
if [ ! -f "$STAMP" ]; then
  echo "installing $REQ into $VENV (takes a few minutes the first time)" >&2
  rm -rf "$VENV"
  python3 -m venv "$VENV" >&2
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --upgrade pip==25.3 >&2
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQ" >&2
  touch "$STAMP"
fi
echo "$VENV/bin/python"
