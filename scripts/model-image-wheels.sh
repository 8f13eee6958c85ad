#!/usr/bin/env bash
# Fills a wheelhouse for a model version's image, so that its build needs no network:
#   bash scripts/model-image-wheels.sh REQUIREMENTS_FILE WHEELS_DIR
# The wheels (for the base image's Python: CPython 3.11 on manylinux x86_64, Debian 12's) are
# downloaded once per requirements file into $HOME/.cache/modelyard-ci/wheels-model-<hash>/,
# keyed by the file's SHA-256, and copied into WHEELS_DIR (the `wheels/` of an image context).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
requirements=$1
dest=$2
key=$(sha256sum "$requirements" | cut -c1-16)
cache=${MODELYARD_CI_CACHE:-$HOME/.cache/modelyard-ci}
wheels="$cache/wheels-model-$key"
if [ ! -f "$wheels/.complete" ]; then
  python=$(bash "$root/scripts/python-env.sh" | tail -n 1)
  rm -rf "$wheels"
  mkdir -p "$wheels"
  # Binary wheels only (no sdist builds inside the image), for the base's Python and platform.
  "$python" -m pip download --quiet --only-binary=:all: --python-version 3.11 --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 --platform any \
    --requirement "$requirements" --dest "$wheels" >&2
  touch "$wheels/.complete"
fi
mkdir -p "$dest"
cp "$wheels"/*.whl "$dest"/
