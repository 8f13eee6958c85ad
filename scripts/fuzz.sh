#!/usr/bin/env bash
# The fuzz stage: Schemathesis (pinned in test/fuzz/requirements.txt, in a venv cached like the
# MLflow one) against /api/v4/openapi.json of a real server, as a reporter and as an
# administrator; test/fuzz/run.ts does the work and says which settings it reads. Exits
# non-zero on any failure.
#   bash scripts/fuzz.sh                                   # SQLite, 120 s per role
#   MODELYARD_FUZZ_SECONDS=30 bash scripts/fuzz.sh         # a shorter run
#   MODELYARD_TEST_DB=postgres MODELYARD_TEST_PG_URL=postgres://… bash scripts/fuzz.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PY=$(bash scripts/python-env.sh test/fuzz/requirements.txt)
# The launcher rebuilds stale compiled output before it starts; do it now, outside the
# server's start-up wait.
node bin/modelyard.mjs --help >/dev/null
MODELYARD_FUZZ_PYTHON="$PY" exec npx tsx test/fuzz/run.ts
