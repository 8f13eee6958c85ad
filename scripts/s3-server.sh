#!/usr/bin/env bash
# Starts (or stops) a local S3-protocol server for the S3 driver tests: moto's standalone
# server from PyPI, as its own process on loopback, with a bucket made for the tests.
#   scripts/s3-server.sh start   -> prints the endpoint URL
#   scripts/s3-server.sh stop
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${MODELYARD_TEST_S3_PORT:-55433}"
PIDFILE="${TMPDIR:-/tmp}/modelyard-s3-$PORT.pid"
ENDPOINT="http://127.0.0.1:$PORT"
BUCKET="${MODELYARD_TEST_S3_BUCKET:-modelyard-test}"

start() {
  local python
  python=$(bash scripts/python-env.sh)
  if ! curl -fsS "$ENDPOINT/moto-api/" >/dev/null 2>&1; then
    nohup "$(dirname "$python")/moto_server" -H 127.0.0.1 -p "$PORT" >"${TMPDIR:-/tmp}/modelyard-s3-$PORT.log" 2>&1 &
    echo $! >"$PIDFILE"
    for _ in $(seq 1 100); do
      curl -fsS "$ENDPOINT/moto-api/" >/dev/null 2>&1 && break
      sleep 0.1
    done
  fi
  AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test "$python" - "$ENDPOINT" "$BUCKET" <<'PY'
import sys, boto3
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1")
if sys.argv[2] not in [b["Name"] for b in s3.list_buckets().get("Buckets", [])]:
    s3.create_bucket(Bucket=sys.argv[2])
PY
  echo "$ENDPOINT"
}

stop() {
  if [ -f "$PIDFILE" ]; then
    kill "$(cat "$PIDFILE")" 2>/dev/null || true
    rm -f "$PIDFILE"
  fi
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
