#!/usr/bin/env bash
# Builds Modelyard's container image from the Containerfile at the repository root and prints
# its name (the last line on stdout; progress goes to stderr):
#   bash scripts/container-image.sh [--no-build | --bundle TARBALL]
# --no-build: dist/ and web/dist/ are current; --bundle: a tarball `npm run bundle` made already.
# What goes in:
#   - a Debian 12 minbase root filesystem made by mmdebstrap (ca-certificates, git, tini and an
#     unprivileged user `modelyard`, uid 10001), made once and kept as a tarball under
#     $HOME/.cache/modelyard-ci/ named by a hash of everything it is made from, and imported into
#     podman's storage as localhost/modelyard-base:<hash>;
#   - the bundle `npm run bundle` makes (compiled server and UI, production node_modules, the
#     Node.js runtime this machine runs), unpacked into /opt/modelyard.
# Podman runs here without a daemon, as root, on the vfs storage driver with runc and cgroupfs
# (crun and overlay do not work in this machine's sandbox); CONTAINER_PODMAN holds those options
# for the scripts that run the image (test/container/image.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
log() { printf '%s\n' "$*" >&2; }

# Debian's packages, installed the way scripts/postgres.sh installs PostgreSQL; skopeo is for the
# model version images (the Modelyard/Image template pushes and archives with it).
missing=()
for tool in podman buildah mmdebstrap runc skopeo; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq podman buildah mmdebstrap runc uidmap skopeo >&2
fi

# shellcheck source=scripts/podman-options.sh
source "$root/scripts/podman-options.sh"

# The root filesystem: its recipe is this block, so its hash names the cached tarball.
suite=bookworm
mirror=${MODELYARD_DEBIAN_MIRROR:-http://deb.debian.org/debian}
packages=ca-certificates,git,tini
uid=10001
hook="useradd --uid $uid --user-group --home-dir /data --no-create-home --shell /usr/sbin/nologin modelyard && install -d -o $uid -g $uid -m 0750 /data && rm -rf /var/cache/apt/archives/*.deb /var/lib/apt/lists/*"
recipe="suite=$suite mirror=$mirror variant=minbase packages=$packages hook=$hook exclude=doc,man,locale"
key=$(printf '%s' "$recipe" | sha256sum | cut -c1-16)
cache=${MODELYARD_CI_CACHE:-$HOME/.cache/modelyard-ci}
rootfs="$cache/rootfs-debian12-$key.tar"
base="localhost/modelyard-base:$key"
mkdir -p "$cache"
if [ ! -s "$rootfs" ]; then
  # mmdebstrap picks the output format by the name's ending, so the unfinished one ends in .tar too.
  partial="$cache/rootfs-debian12-$key.partial.tar"
  log "root filesystem: mmdebstrap $suite minbase + $packages (cached as $rootfs)"
  # The security suite too, so the image starts with Debian's fixes.
  # Documentation, manual pages and translations are left out of the image (dpkg's path-exclude).
  mmdebstrap --quiet --variant=minbase --include="$packages" \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
    --customize-hook="chroot \"\$1\" sh -c '$hook'" \
    "$suite" "$partial" \
    "deb $mirror $suite main" "deb $mirror $suite-updates main" \
    "deb ${mirror%/debian}/debian-security $suite-security main" >&2
  mv "$partial" "$rootfs"
  # Root filesystems of earlier recipes, and their imported images, are not needed any more.
  find "$cache" -maxdepth 1 -name 'rootfs-debian12-*.tar' ! -name "${rootfs##*/}" -delete
  podman "${CONTAINER_PODMAN[@]}" images --format '{{.Repository}}:{{.Tag}}' | { grep '^localhost/modelyard-base:' || true; } |
    while read -r old; do [ "$old" = "$base" ] || podman "${CONTAINER_PODMAN[@]}" rmi "$old" >/dev/null 2>&1 || true; done
fi
if ! podman "${CONTAINER_PODMAN[@]}" image exists "$base"; then
  log "importing the root filesystem as $base"
  podman "${CONTAINER_PODMAN[@]}" import --quiet "$rootfs" "$base" >&2
fi

# The server: the bundle, unpacked into a build context of its own.
context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
case "${1:-}" in
  --bundle) tarball=$(readlink -f "$2") ;;
  --no-build) tarball=$(node scripts/bundle.mjs --no-build --out "$context" | tail -n 1) ;;
  "") tarball=$(node scripts/bundle.mjs --out "$context" | tail -n 1) ;;
  *) log "usage: $0 [--no-build | --bundle TARBALL]"; exit 2 ;;
esac
tar -xzf "$tarball" -C "$context"
mv "$context"/modelyard-*-linux-x64 "$context/modelyard"
cp Containerfile "$context/Containerfile"

version=$(node -p "require('./package.json').version")
image="localhost/modelyard:$version"
previous=$(podman "${CONTAINER_PODMAN[@]}" image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
log "building $image on $base"
# Docker's format: OCI image configs have no HEALTHCHECK. No intermediate layers: on vfs each
# one is a full copy of the filesystem.
podman "${CONTAINER_PODMAN[@]}" build --quiet --format docker --layers=false \
  --build-arg BASE="$base" --tag "$image" --file "$context/Containerfile" "$context" >&2
# The image this one replaces (now untagged) goes, so rebuilds do not fill the disk.
if [ -n "$previous" ] && [ "$previous" != "$(podman "${CONTAINER_PODMAN[@]}" image inspect --format '{{.Id}}' "$image")" ]; then
  podman "${CONTAINER_PODMAN[@]}" rmi "$previous" >/dev/null 2>&1 || true
fi
echo "$image"
