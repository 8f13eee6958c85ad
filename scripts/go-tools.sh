#!/usr/bin/env bash
# Installs a pinned Go tool once and prints the path of its binary:
#   bash scripts/go-tools.sh helm|kubeconform|minio|fake-gcs-server
# MinIO (the replica soak's S3 server) publishes no semver tags to the Go module proxy, so its pin
# is a pseudo-version of one commit; it runs as a test server of its own, never linked into Modelyard.
# fake-gcs-server (the Vertex AI import test's Cloud Storage) is likewise a test server of its own.
# Each version is built by `go install` from the Go module proxy into a folder of its own,
# $HOME/.cache/modelyard-ci/go-tools/<tool>-<version>/, so a new pin never reuses an old binary.
set -euo pipefail
case "${1:-}" in
  helm) module=helm.sh/helm/v3/cmd/helm version=v3.22.0 ;;
  kubeconform) module=github.com/yannh/kubeconform/cmd/kubeconform version=v0.8.0 ;;
  minio) module=github.com/minio/minio version=v0.0.0-20260212201848-7aac2a2c5b7c ;;
  fake-gcs-server) module=github.com/fsouza/fake-gcs-server version=v1.56.1 ;;
  *) echo "usage: $0 helm|kubeconform|minio|fake-gcs-server" >&2; exit 2 ;;
esac
command -v go >/dev/null || { echo "go is needed to install $1 (the Go toolchain, 1.26 or newer: both tools declare it)" >&2; exit 1; }
bin_dir=${MODELYARD_CI_CACHE:-$HOME/.cache/modelyard-ci}/go-tools/$1-$version
if [ ! -x "$bin_dir/$1" ]; then
  echo "installing $module@$version into $bin_dir" >&2
  mkdir -p "$(dirname "$bin_dir")"
  # A partial build never lands where the check above would take it for done.
  partial=$(mktemp -d "${bin_dir}.partial.XXXXXX")
  GOBIN="$partial" GOFLAGS=-mod=mod go install "$module@$version" >&2
  mkdir -p "$bin_dir"
  mv "$partial/$1" "$bin_dir/$1"
  rmdir "$partial"
fi
echo "$bin_dir/$1"
