#!/usr/bin/env bash
# Installs a pinned MinIO server once and prints the path of its binary (for the replica soak):
#   bash scripts/minio.sh install          -> path of the binary
# MinIO publishes no semver tags to the Go module proxy, so the pin is a pseudo-version of
# one commit. It is built by `go install` into a folder of its own,
# $HOME/.cache/modelyard-ci/go-tools/minio-<version>/, so a new pin never reuses an old binary.
# MinIO is an external test server here (run as its own process, never linked into Modelyard).
set -euo pipefail
version=v0.0.0-20260212201848-7aac2a2c5b7c
module=github.com/minio/minio

install() {
  command -v go >/dev/null || { echo "go is needed to install minio (the Go toolchain, 1.24 or newer)" >&2; exit 1; }
  local bin_dir partial
  bin_dir=${MODELYARD_CI_CACHE:-$HOME/.cache/modelyard-ci}/go-tools/minio-$version
  if [ ! -x "$bin_dir/minio" ]; then
    echo "installing $module@$version into $bin_dir (a build of several minutes)" >&2
    mkdir -p "$(dirname "$bin_dir")"
    # A partial build never lands where the check above would take it for done.
    partial=$(mktemp -d "${bin_dir}.partial.XXXXXX")
    GOBIN="$partial" GOFLAGS=-mod=mod go install "$module@$version" >&2
    mkdir -p "$bin_dir"
    mv "$partial/minio" "$bin_dir/minio"
    rmdir "$partial"
  fi
  echo "$bin_dir/minio"
}

case "${1:-install}" in
  install) install ;;
  *) echo "usage: $0 install" >&2; exit 2 ;;
esac
