#!/usr/bin/env bash
# Creates (or reuses) a Python 3.11 venv with Google's Vertex AI client, google-cloud-aiplatform,
# pinned, and prints its python path on the last line. test/api/vertex-stand-in-client.test.ts
# drives the Vertex AI stand-in (test/support/vertex-stand-in.ts) with it over the client's REST
# transport, so that the stand-in's JSON is held to what Google's own client sends and parses.
#
# The venv lives outside the clone, $HOME/.cache/modelyard-ci/vertex-client-<hash>, keyed by a
# hash of the pinned requirements below and of the interpreter's version: a fresh clone reuses it,
# and a new pin never reuses an old venv. It is built in a folder of its own and renamed into
# place when complete, so a half-built venv is never taken for done.
# The pins: the client itself, and what shapes its requests and its parsing of the answers
# (google-api-core's REST transport and operations client, google-auth, protobuf, proto-plus,
# googleapis-common-protos, requests); the rest of its dependencies resolve from PyPI.
set -euo pipefail
REQUIREMENTS='google-cloud-aiplatform==2.7.0
google-api-core==2.44.0
google-auth==2.63.0
googleapis-common-protos==1.76.0
proto-plus==1.29.0
protobuf==7.36.2
requests==2.34.2'
PYTHON=${MODELYARD_VERTEX_CLIENT_BASE_PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || { echo "$PYTHON is needed for the Vertex AI client's venv" >&2; exit 1; }
CACHE=${MODELYARD_CACHE_DIR:-$HOME/.cache/modelyard-ci}
key=$( (printf '%s\n' "$REQUIREMENTS"; "$PYTHON" --version) | sha256sum | cut -c1-16)
VENV="$CACHE/vertex-client-$key"

mkdir -p "$CACHE"
exec 9>"$VENV.lock"
flock 9
if [ ! -x "$VENV/bin/python" ]; then
  echo "installing google-cloud-aiplatform into $VENV (takes a minute or two the first time)" >&2
  partial=$(mktemp -d "$VENV.partial.XXXXXX")
  trap 'rm -rf "$partial"' EXIT
  "$PYTHON" -m venv "$partial" >&2
  printf '%s\n' "$REQUIREMENTS" >"$partial/requirements.txt"
  "$partial/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$partial/requirements.txt" >&2
  # The check imports what it uses: a venv that cannot is not one.
  "$partial/bin/python" -c 'import google.cloud.aiplatform_v1, google.oauth2.credentials' >&2
  mv "$partial" "$VENV"
  trap - EXIT
fi
echo "$VENV/bin/python"
