#!/usr/bin/env bash
# The air-gapped install, as an operator does it: unpack the bundle `npm run bundle` made and
# run it inside a network namespace that has only a loopback interface (`unshare --net`), with
# every connect() the server makes recorded by strace; the real MLflow client and the Python
# client installed from the bundle's own wheels (no package index) work against it,
# the web UI is served, and the test fails if the server tried to reach anything but loopback.
#   bash test/bundle/air-gapped.sh TARBALL PYTHON    (PYTHON: a python with the pinned mlflow)
set -euo pipefail
tarball=$(readlink -f "$1")
# Not readlink -f: a venv's python is a symlink to the base interpreter, which lacks the venv.
python=$(realpath -s "$2")
here=$(cd "$(dirname "$0")" && pwd)

# strace and ip are Debian's; install them the way scripts/postgres.sh installs PostgreSQL.
missing=()
command -v strace >/dev/null || missing+=(strace)
command -v ip >/dev/null || missing+=(iproute2)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -xzf "$tarball" -C "$work"
bundle=$(ls -d "$work"/modelyard-*-linux-x64)
for part in modelyard runtime/node python bin/modelyard.mjs dist/cli/main.js web/dist/index.html node_modules/better-sqlite3/build/Release/better_sqlite3.node docs/operations.md; do
  [ -e "$bundle/$part" ] || { echo "the bundle lacks $part" >&2; exit 1; }
done
for dev in typescript vite vitest tsx; do
  [ ! -e "$bundle/node_modules/$dev" ] || { echo "the bundle holds the development dependency $dev" >&2; exit 1; }
done
# The UI loads nothing from elsewhere: no fonts, scripts, styles or images by absolute URL.
if grep -rEo "(src|href)=\"https?://[^\"]+|url\((['\"]?)https?://[^)]+|@import +(url\()?['\"]?https?://[^'\") ]+" "$bundle/web/dist"; then
  echo "the web UI refers to resources elsewhere (above)" >&2
  exit 1
fi

unshare --map-root-user --net bash "$here/offline-run.sh" "$bundle" "$python" "$work"
echo "air-gapped bundle: unpacked, started without a network, MLflow workflow and the bundled Python client passed, no connection beyond loopback"
