#!/usr/bin/env bash
# Installs what pinetl needs on Debian 12 (only what is missing) and builds it with meson.
#   bash examples/setup.sh [BUILD_DIR [MESON_ARGS...]]
# Sourcing it defines pinetl_install_packages, pinetl_build and pinetl_venv (scripts/harness.sh)
# without changing the caller's shell options.
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/harness.sh"

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  pinetl_install_packages
  dir=${1:-$PINETL_ROOT/build}
  [ $# -gt 0 ] && shift
  pinetl_build "$dir" "$@"
  echo "setup: built $dir/libpinetl/cli/pinetl"
fi
