#!/usr/bin/env bash
# Modelyard's container image, built and run as an operator runs it: scripts/container-image.sh
# builds it (the base root filesystem is cached), then it starts with a read-only root
# filesystem, a data volume and its port published on loopback; the test waits for
# /-/readiness, checks that every process in it runs as the unprivileged user and that only the
# volume is writable, makes and lists an MLflow experiment with the admin token given at the
# first start, runs the image's HEALTHCHECK, and stops it with SIGTERM (no SIGKILL needed).
#   bash test/container/image.sh [--no-build | --bundle TARBALL]   (as scripts/container-image.sh)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
started=$SECONDS
# shellcheck source=scripts/podman-options.sh
source "$root/scripts/podman-options.sh"
# Podman's complaints about the missing systemd (it would time the HEALTHCHECK with a systemd
# timer) go to a log of their own, shown when the test fails.
podman_log=$(mktemp)
podman() { command podman "${CONTAINER_PODMAN[@]}" "$@" 2>>"$podman_log"; }
fail() {
  echo "FAIL: $*" >&2
  tail -n 20 "$podman_log" >&2
  [ -n "${name:-}" ] && command podman "${CONTAINER_PODMAN[@]}" logs --tail 30 "$name" >&2
  exit 1
}

image=$(bash "$root/scripts/container-image.sh" "$@" | tail -n 1)
echo "image: $image ($(podman image inspect --format '{{.Size}}' "$image" | numfmt --to=iec) uncompressed), built in $((SECONDS - started)) s"

work=$(mktemp -d)
name="modelyard-image-test-$$"
cleanup() { podman rm --force --time 0 "$name" >/dev/null || true; rm -rf "$work" "$podman_log"; }
trap cleanup EXIT
# The data volume: a folder owned by the image's user, as a volume provisioner would give it.
mkdir "$work/data"
chown 10001:10001 "$work/data"
token=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")

podman run --detach --name "$name" --read-only "${CONTAINER_RUN_LIMITS[@]}" \
  --volume "$work/data:/data" --publish "127.0.0.1:$port:8080" \
  --env MODELYARD_INITIAL_ADMIN_TOKEN="$token" --env MODELYARD_PUBLIC_URL="http://127.0.0.1:$port" \
  "$image" >/dev/null
url="http://127.0.0.1:$port"

for _ in $(seq 1 120); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/-/readiness")" = 200 ] && break
  [ "$(podman inspect --format '{{.State.Running}}' "$name")" = true ] || fail "the container exited"
  sleep 0.5
done
[ "$(curl -s -o /dev/null -w '%{http_code}' "$url/-/readiness")" = 200 ] || fail "/-/readiness did not answer 200 within 60 s"

# Every process (tini and the server) runs as uid 10001, none as root.
uids=$(podman exec "$name" sh -c 'for s in /proc/[0-9]*/status; do grep "^Uid:" "$s"; done' | awk '{print $2}' | sort -u)
[ "$uids" = 10001 ] || fail "processes run as uids: $uids"
# The root filesystem is read-only; the data volume is the server's and holds its database.
podman exec "$name" touch /opt/modelyard/written && fail "the root filesystem is writable"
[ -s "$work/data/modelyard.db" ] || fail "no SQLite database in the data volume: $(ls -A "$work/data")"

api() { curl -sS -H "Authorization: Bearer $token" -H 'content-type: application/json' -w '\n%{http_code}' "$@"; }
created=$(api -X POST "$url/api/2.0/mlflow/experiments/create" -d '{"name":"container-image-test"}')
[ "$(tail -n 1 <<<"$created")" = 200 ] || fail "experiments/create: $created"
found=$(api -X POST "$url/api/2.0/mlflow/experiments/search" -d '{"max_results":10}')
[ "$(tail -n 1 <<<"$found")" = 200 ] || fail "experiments/search: $found"
grep -q '"name":"container-image-test"' <<<"$found" || fail "experiments/search lacks the new experiment: $found"
refused=$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer glpat-not-a-token-of-this-server' -H 'content-type: application/json' -X POST "$url/api/2.0/mlflow/experiments/search" -d '{}')
[ "$refused" = 401 ] || fail "experiments/search with an unknown token answered $refused, not 401"

podman healthcheck run "$name" >/dev/null || fail "the image's HEALTHCHECK failed"

stop_started=$SECONDS
podman stop --time 20 "$name" >/dev/null
[ $((SECONDS - stop_started)) -lt 20 ] || fail "the server did not stop on SIGTERM (killed after 20 s)"
exit_code=$(podman inspect --format '{{.State.ExitCode}}' "$name")
[ "$exit_code" = 0 ] || fail "the server exited with $exit_code on SIGTERM, not 0"
echo "container image: built, started read-only as uid 10001, ready, MLflow API answered, stopped on SIGTERM in $((SECONDS - stop_started)) s; $((SECONDS - started)) s in all"
