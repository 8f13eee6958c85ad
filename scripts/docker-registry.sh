#!/usr/bin/env bash
# Prints the path of Debian's docker-registry (the CNCF Distribution registry, a real OCI
# registry: the one the model version image test pushes to) and installs it first when it is
# missing, with apache2-utils for htpasswd (its bcrypt password files):
#   bash scripts/docker-registry.sh
# The package enables a service of its own on port 5000; tests start their own registry
# process on a free port with a configuration file, so that service is stopped.
set -euo pipefail
if ! command -v docker-registry >/dev/null || ! command -v htpasswd >/dev/null; then
  echo "installing docker-registry and apache2-utils from Debian's packages" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  # A machine that never ran apt-get update has an empty package index.
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq docker-registry apache2-utils >&2
  if command -v systemctl >/dev/null && systemctl is-active --quiet docker-registry 2>/dev/null; then $sudo systemctl stop docker-registry || true; fi
fi
command -v docker-registry
