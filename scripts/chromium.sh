#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed for the browser tests (never a browser download by
# a test tool). Prints the executable's path.
set -euo pipefail
BIN=/usr/bin/chromium
if [ ! -x "$BIN" ]; then
  echo "installing Chromium from Debian's packages" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium fonts-dejavu-core >&2
fi
echo "$BIN"
