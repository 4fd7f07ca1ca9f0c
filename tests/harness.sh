# The harness of the project's scripts: what to install on Debian 12 (only what is missing) and
# the build step. Source it; it defines functions and PINETL_ROOT and changes no shell option of
# the caller (set -e, -u and pipefail stay as the caller had them).
#   pinetl_install_packages [EXTRA_PACKAGE...]
#   pinetl_build DIR [MESON_SETUP_ARGS...]

PINETL_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Build tools, the three C libraries, clang-format and a C++ compiler (the format check and the
# header tests), and the Python side: Debian's interpreter /usr/bin/python3 owns these modules.
PINETL_APT_PACKAGES=(gcc g++ libc6-dev pkg-config meson ninja-build clang-format
  libcjson-dev libpcre2-dev libsqlite3-dev sqlite3
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
  $sudo apt-get update -qq || return 1
  DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
    --no-install-recommends "${missing[@]}" >/dev/null
}

# pinetl_build DIR [meson setup args...]: configures DIR with exactly these arguments, then
# builds incrementally. The arguments of the last set-up are kept in DIR; when they differ (say
# -Dwerror=true now and not before), DIR is set up again from scratch, since meson keeps options
# that a later set-up does not name.
pinetl_build() {
  local dir=$1; shift
  local log want have=""
  log=$(mktemp)
  want=$(printf '%s\n' "$PINETL_ROOT" "$@")
  [ -f "$dir/.pinetl-setup-args" ] && have=$(cat "$dir/.pinetl-setup-args")
  if [ -f "$dir/build.ninja" ] && [ "$want" != "$have" ]; then
    if [ -d "$dir/meson-private" ]; then
      echo "setup: $dir was set up with other options; setting it up again" >&2
      rm -rf "$dir"
    else
      echo "setup: $dir is not a meson build directory" >&2; rm -f "$log"; return 1
    fi
  fi
  if [ ! -f "$dir/build.ninja" ]; then
    if ! meson setup "$dir" "$PINETL_ROOT" "$@" >"$log" 2>&1; then
      cat "$log" >&2; rm -f "$log"; return 1
    fi
    printf '%s\n' "$want" > "$dir/.pinetl-setup-args"
  fi
  if ! ninja -C "$dir" >"$log" 2>&1; then
    cat "$log" >&2; rm -f "$log"; return 1
  fi
  rm -f "$log"
}
