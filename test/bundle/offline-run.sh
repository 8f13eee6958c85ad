#!/usr/bin/env bash
# Runs inside `unshare --net` (see air-gapped.sh): loopback only.
set -euo pipefail
bundle=$1 python=$2 work=$3
here=$(cd "$(dirname "$0")" && pwd)
ip link set lo up
if ip route get 1.1.1.1 >/dev/null 2>&1; then echo "the namespace has a route out; refusing to call this air-gapped" >&2; exit 1; fi

port=18080
token=glpat-airgapped-bundle-token-0001
MODELYARD_DATA_DIR="$work/data" MODELYARD_PORT=$port MODELYARD_INITIAL_ADMIN_TOKEN=$token \
  strace -f -qq -e trace=connect -o "$work/connect.log" "$bundle/modelyard" serve > "$work/server.log" 2>&1 &
server=$!
stop() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
trap stop EXIT

MODELYARD_URL="http://127.0.0.1:$port" MLFLOW_TRACKING_TOKEN=$token "$python" "$here/workflow.py" || { cat "$work/server.log" >&2; exit 1; }
stop
trap - EXIT

# Every connection the server (and its children) opened: loopback TCP or a local socket only.
outside=$(grep -E 'connect\(' "$work/connect.log" | grep -vE 'AF_UNIX|AF_NETLINK|inet_addr\("127\.|inet_pton\(AF_INET6, "::1"|inet_pton\(AF_INET6, "::ffff:127\.' || true)
if [ -n "$outside" ]; then
  echo "the server tried to reach the network:" >&2
  echo "$outside" >&2
  exit 1
fi
echo "connections the server made: $(grep -c 'connect(' "$work/connect.log" || true), all to loopback or local sockets"
