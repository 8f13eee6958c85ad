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
  strace -f -qq -e trace=connect,bind -o "$work/connect.log" "$bundle/modelyard" serve > "$work/server.log" 2>&1 &
server=$!
# The server is strace's child: stop it (strace would only detach), then strace ends with it.
stop() { pkill -TERM -P "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
trap stop EXIT

MODELYARD_URL="http://127.0.0.1:$port" MLFLOW_TRACKING_TOKEN=$token "$python" "$here/workflow.py" || { cat "$work/server.log" >&2; exit 1; }
# The Python client from the bundle's wheelhouse, installed with no index, against the server.
python3 -m venv "$work/client"
"$work/client/bin/pip" install --quiet --disable-pip-version-check --no-index --find-links "$bundle/python" modelyard
MODELYARD_URL="http://127.0.0.1:$port" MODELYARD_TOKEN=$token "$work/client/bin/python" "$here/python_client.py" || { cat "$work/server.log" >&2; exit 1; }
stop
trap - EXIT

# The watch saw the server's own socket (so it watched the right process), and every
# connection the server and its children opened went to loopback or a local socket.
grep -qE "bind\(.*htons\($port\)" "$work/connect.log" || { echo "strace did not see the server bind port $port: the watch is broken" >&2; exit 1; }
outside=$(grep -E 'connect\(' "$work/connect.log" | grep -vE 'AF_UNIX|AF_NETLINK|inet_addr\("127\.|inet_pton\(AF_INET6, "::1"|inet_pton\(AF_INET6, "::ffff:127\.' || true)
if [ -n "$outside" ]; then
  echo "the server tried to reach the network:" >&2
  echo "$outside" >&2
  exit 1
fi
echo "connections the server made: $(grep -c 'connect(' "$work/connect.log" || true), all to loopback or local sockets"
