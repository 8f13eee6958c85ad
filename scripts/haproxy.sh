#!/usr/bin/env bash
# Prints the path of HAProxy (the load balancer of the replica soak), installing Debian's
# haproxy package first when it is missing.
#   bash scripts/haproxy.sh
set -euo pipefail
if ! command -v haproxy >/dev/null; then
  echo "installing HAProxy from Debian's packages" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  # A machine that never ran apt-get update has an empty package index.
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq haproxy >&2
  # The package enables its own service; the soak starts its own processes instead.
  if command -v systemctl >/dev/null && systemctl is-active --quiet haproxy 2>/dev/null; then $sudo systemctl stop haproxy || true; fi
fi
command -v haproxy
