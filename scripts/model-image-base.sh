#!/usr/bin/env bash
# Makes the base that model version images are built FROM (the `BASE` build argument of the
# Containerfile in a version's image context) and prints its name (the last line on stdout):
#   bash scripts/model-image-base.sh
# A Debian 12 minbase root filesystem made by mmdebstrap with python3 and python3-venv (the
# Python the serving runtime's wheels are installed for), nothing from a container registry.
# It is made once and kept as a tarball under $HOME/.cache/modelyard-ci/ named by a hash of its
# recipe, and imported into podman's storage as localhost/modelyard-model-base:<hash>.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
log() { printf '%s\n' "$*" >&2; }
# shellcheck source=scripts/podman-options.sh
source "$root/scripts/podman-options.sh"

suite=bookworm
mirror=${MODELYARD_DEBIAN_MIRROR:-http://deb.debian.org/debian}
packages=python3,python3-venv
hook="rm -rf /var/cache/apt/archives/*.deb /var/lib/apt/lists/*"
recipe="suite=$suite mirror=$mirror variant=minbase packages=$packages hook=$hook exclude=doc,man,locale"
key=$(printf '%s' "$recipe" | sha256sum | cut -c1-16)
cache=${MODELYARD_CI_CACHE:-$HOME/.cache/modelyard-ci}
rootfs="$cache/rootfs-python-debian12-$key.tar"
base="localhost/modelyard-model-base:$key"
mkdir -p "$cache"
if [ ! -s "$rootfs" ]; then
  # mmdebstrap picks the output format by the name's ending, so the unfinished one ends in .tar too.
  partial="$cache/rootfs-python-debian12-$key.partial.tar"
  log "root filesystem: mmdebstrap $suite minbase + $packages (cached as $rootfs)"
  mmdebstrap --quiet --variant=minbase --include="$packages" \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
    --customize-hook="chroot \"\$1\" sh -c '$hook'" \
    "$suite" "$partial" \
    "deb $mirror $suite main" "deb $mirror $suite-updates main" \
    "deb ${mirror%/debian}/debian-security $suite-security main" >&2
  mv "$partial" "$rootfs"
  # Root filesystems of earlier recipes are not needed any more.
  find "$cache" -maxdepth 1 -name 'rootfs-python-debian12-*.tar' ! -name "${rootfs##*/}" -delete
fi
if ! podman "${CONTAINER_PODMAN[@]}" image exists "$base"; then
  log "importing the root filesystem as $base"
  podman "${CONTAINER_PODMAN[@]}" import --quiet "$rootfs" "$base" >&2
fi
echo "$base"
