#!/usr/bin/env bash
# Starts (or stops) a throw-away PostgreSQL server on loopback for the test suites.
# Installs Debian's postgresql package when no server binaries are present.
#   scripts/postgres.sh start   -> prints the admin URL on stdout
#   scripts/postgres.sh stop
# MODELYARD_PG_DURABLE=1 keeps PostgreSQL's durable defaults (fsync, synchronous_commit and
# full_page_writes on): what a benchmark must measure (`npm run bench -- --db postgres`).
# MODELYARD_PG_OPTIONS adds server settings (`-c name=value ...`), e.g. extensions to preload.
set -euo pipefail

PORT="${MODELYARD_TEST_PG_PORT:-55432}"
DIR="${MODELYARD_TEST_PG_DIR:-${TMPDIR:-/tmp}/modelyard-pg-$PORT}"
URL="postgres://postgres@127.0.0.1:$PORT/postgres"

find_bin() {
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  echo "$found"
}

install_postgres() {
  echo "installing PostgreSQL from Debian's packages" >&2
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >&2
}

# initdb and postgres refuse to run as root; run them as the postgres system user then.
as_db_user() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

start() {
  local bin
  bin=$(find_bin)
  if [ -z "$bin" ]; then install_postgres; bin=$(find_bin); fi
  [ -n "$bin" ] || { echo "PostgreSQL binaries not found after install" >&2; exit 1; }
  if "$bin/pg_isready" -q -h 127.0.0.1 -p "$PORT"; then echo "$URL"; return; fi
  if [ ! -f "$DIR/PG_VERSION" ]; then
    rm -rf "$DIR"
    mkdir -p "$DIR"
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$DIR"
    as_db_user "$bin/initdb" -D "$DIR" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  # Durability is not what a test server is for; these settings make it several times faster.
  local speed="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  [ "${MODELYARD_PG_DURABLE:-0}" = "1" ] && speed=""
  as_db_user "$bin/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w -t 60 start \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -c unix_socket_directories=$DIR $speed -c max_connections=300 ${MODELYARD_PG_OPTIONS:-}" >/dev/null
  echo "$URL"
}

stop() {
  local bin
  bin=$(find_bin)
  [ -n "$bin" ] && [ -f "$DIR/PG_VERSION" ] && as_db_user "$bin/pg_ctl" -D "$DIR" -m fast stop >/dev/null 2>&1 || true
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  url) echo "$URL" ;;
  *) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac
