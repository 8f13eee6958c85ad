#!/usr/bin/env bash
# Runs every test suite, installing and starting what they need first:
#   type check, unit tests, the API suite on SQLite and again on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."

section() { printf '\n=== %s ===\n' "$*"; }

[ -d node_modules ] || npm ci

section "type check"
npm run --silent typecheck

section "PostgreSQL for the tests"
PG_URL=$(bash scripts/postgres.sh start)
trap 'bash scripts/postgres.sh stop' EXIT
echo "$PG_URL"

section "unit tests"
npx vitest run --project unit

section "API tests on SQLite"
MODELYARD_TEST_DB=sqlite npx vitest run --project api

section "API tests on PostgreSQL"
MODELYARD_TEST_DB=postgres MODELYARD_TEST_PG_URL="$PG_URL" npx vitest run --project api

section "MLflow client compatibility (pinned mlflow from PyPI) on SQLite"
PYTHON=$(bash scripts/python-env.sh)
MODELYARD_TEST_DB=sqlite "$PYTHON" -m pytest test/compat -q -p no:cacheprovider

section "MLflow client compatibility on PostgreSQL"
MODELYARD_TEST_DB=postgres MODELYARD_TEST_PG_URL="$PG_URL" "$PYTHON" -m pytest test/compat -q -p no:cacheprovider
