#!/usr/bin/env bash
# Installs what pinetl needs on Debian 12 (only what is missing) and builds it with meson.
# Sourced by examples/pipeline.sh and tests/run.sh; run it alone to just build.
#   bash examples/setup.sh [BUILD_DIR [MESON_ARGS...]]
set -euo pipefail

PINETL_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Build tools and the three C libraries. Python packages come from PyPI into a venv (pinetl_venv).
PINETL_APT_PACKAGES=(gcc libc6-dev pkg-config meson ninja-build
  libcjson-dev libpcre2-dev libsqlite3-dev sqlite3)

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

# The Python side: a venv made with the first python3 on PATH (pyenv's 3.11 on the project's
# machines), packages from PyPI at the versions of requirements/constraints.txt (PIP_CONSTRAINT
# also pins the isolated build's meson-python, meson, ninja and cffi). The extras of every area:
PINETL_VENV=${PINETL_VENV:-$PINETL_ROOT/.venv}
PINETL_EXTRAS=test,dask,spark,delta,kafka,emulate,airflow,report
# pinetl_venv [EXTRAS]: creates $PINETL_VENV if missing and installs pinetl[EXTRAS] from this tree
# with `pip install` (build isolation), as a user does; the tree's package replaces any older one.
pinetl_venv() {
  local extras=${1:-$PINETL_EXTRAS} log
  log=$(mktemp)
  if [ ! -x "$PINETL_VENV/bin/python" ] && ! python3 -m venv "$PINETL_VENV" >"$log" 2>&1; then
    cat "$log" >&2; echo "setup: python3 -m venv failed (python3: $(command -v python3))" >&2
    rm -f "$log"; return 1
  fi
  if ! PIP_CONSTRAINT=$PINETL_ROOT/requirements/constraints.txt PIP_DISABLE_PIP_VERSION_CHECK=1 \
       "$PINETL_VENV/bin/pip" install "$PINETL_ROOT[$extras]" >"$log" 2>&1; then
    tail -n 40 "$log" >&2; echo "setup: pip install of pinetl[$extras] failed" >&2
    rm -f "$log"; return 1
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
