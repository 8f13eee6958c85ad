#!/usr/bin/env bash
# Makes sure zsh and fish are installed from Debian's packages, so that the CLI's completion
# scripts for them are checked by the shells themselves (`zsh -n`, `fish -n`), not only as text.
set -euo pipefail
missing=()
for shell in zsh fish; do command -v "$shell" >/dev/null || missing+=("$shell"); done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing ${missing[*]} from Debian's packages" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2
fi
