#!/usr/bin/env bash
# Installs what pinetl needs on Debian 12 (only what is missing) and builds it with meson.
# Sourced by examples/pipeline.sh and tests/run.sh; run it alone to just build.
#   bash examples/setup.sh [BUILD_DIR [MESON_ARGS...]]
set -euo pipefail

PINETL_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Build tools, the three C libraries, and the Python side: Debian's interpreter /usr/bin/python3
# owns these modules (PyPI is not used).
PINETL_APT_PACKAGES=(gcc libc6-dev pkg-config meson ninja-build
  libcjson-dev libpcre2-dev libsqlite3-dev libmicrohttpd-dev sqlite3
  python3 python3-venv python3-pip python3-cffi python3-mesonpy python3-pytest
  python3-numpy python3-pandas python3-dask python3-distributed python3-hypothesis python3-psutil)

pinetl_install_packages() {
  local missing=() p
  for p in "${PINETL_APT_PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "setup: installing ${missing[*]}" >&2
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# pinetl_build DIR [meson setup args...]: configure once, then build incrementally.
pinetl_build() {
  local dir=$1; shift
  local log
  log=$(mktemp)
  if [ ! -f "$dir/build.ninja" ] && ! meson setup "$dir" "$PINETL_ROOT" "$@" >"$log" 2>&1; then
    cat "$log" >&2; rm -f "$log"; return 1
  fi
  if ! ninja -C "$dir" >"$log" 2>&1; then
    cat "$log" >&2; rm -f "$log"; return 1
  fi
  rm -f "$log"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  pinetl_install_packages
  dir=${1:-$PINETL_ROOT/build}
  [ $# -gt 0 ] && shift
  pinetl_build "$dir" "$@"
  echo "setup: built $dir/libpinetl/cli/pinetl"
fi
