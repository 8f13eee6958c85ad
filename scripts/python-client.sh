#!/usr/bin/env bash
# The Python client's stage: type-checks it (mypy --strict), builds its wheel, installs it into a fresh venv (its dependencies
# from the wheel's own metadata) and runs its tests there against a live server.
#   bash scripts/python-client.sh            # SQLite
#   MODELYARD_TEST_DB=postgres MODELYARD_TEST_PG_URL=... bash scripts/python-client.sh
#   bash scripts/python-client.sh --install-into DIR   # only a venv at DIR with the wheel (the bench)
#   bash scripts/python-client.sh --wheelhouse-into DIR  # the wheel and its dependencies' wheels (the bundle)
# Everything is installed offline from a wheelhouse of the pinned requirements
# (clients/python/requirements-test.txt), downloaded once and kept outside the clone, keyed by
# a hash of what it holds; the venvs themselves are new on every run.
set -euo pipefail
cd "$(dirname "$0")/.."
REQ=clients/python/requirements-test.txt
CACHE="${MODELYARD_CACHE_DIR:-$HOME/.cache/modelyard-ci}"
key=$( (cat "$REQ"; python3 --version) | sha256sum | cut -c1-16)
WHEELS="$CACHE/wheels-python-client-$key"
mkdir -p "$CACHE"
exec 9>"$WHEELS.lock"
flock 9
if [ ! -f "$WHEELS/.complete" ]; then
  rm -rf "$WHEELS"
  python3 -m pip download --quiet --disable-pip-version-check -r "$REQ" -d "$WHEELS" >&2
  touch "$WHEELS/.complete"
fi
flock -u 9

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
offline=(--quiet --disable-pip-version-check --no-index --find-links "$WHEELS")
python3 -m venv "$work/build"
"$work/build/bin/pip" install "${offline[@]}" -r "$REQ"
# The package is typed (py.typed): hold it to mypy's strict mode.
(cd clients/python && "$work/build/bin/mypy" --strict --no-incremental src)
"$work/build/bin/pip" wheel "${offline[@]}" --no-deps --no-build-isolation clients/python -w "$work/dist"
wheel=$(ls "$work"/dist/modelyard-*.whl)
echo "built $(basename "$wheel")"

if [ "${1:-}" = "--wheelhouse-into" ]; then
  mkdir -p "$2"
  cp "$wheel" "$2/"
  # The wheel's own dependencies, resolved from its metadata against the pinned wheelhouse.
  "$work/build/bin/pip" download "${offline[@]}" --dest "$2" "$wheel"
  exit 0
fi
if [ "${1:-}" = "--install-into" ]; then
  python3 -m venv "$2"
  "$2/bin/pip" install "${offline[@]}" "$wheel"
  exit 0
fi
python3 -m venv "$work/test"
"$work/test/bin/pip" install "${offline[@]}" "$wheel" pytest
cd clients/python
"$work/test/bin/python" -m pytest tests -q -p no:cacheprovider "$@"
