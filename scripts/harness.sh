# The harness of the project's scripts: what to install on Debian 12 (only what is missing) and
# the build step. Source it; it defines functions and PINETL_ROOT and changes no shell option of
# the caller (set -e, -u and pipefail stay as the caller had them).
#   pinetl_install_packages [EXTRA_PACKAGE...]
#   pinetl_build DIR [MESON_SETUP_ARGS...]
#   pinetl_venv [EXTRAS]            (the Python side: $PINETL_VENV with pinetl[EXTRAS] from PyPI)

PINETL_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Build tools, the C libraries, clang-format and a C++ compiler (the format check and the header
# tests). No Debian python3-* package: Python packages come from PyPI into a venv (pinetl_venv).
PINETL_APT_PACKAGES=(gcc g++ libc6-dev pkg-config meson ninja-build clang-format
  libcjson-dev libsqlite3-dev libmicrohttpd-dev sqlite3 libgnutls28-dev nettle-dev openssl curl
  libcurl4-openssl-dev libexpat1-dev)

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

# The Python side: a venv made with the first python3 on PATH (pyenv's 3.11 on the project's
# machines), packages from PyPI at the versions of requirements/constraints.txt (PIP_CONSTRAINT
# also pins the isolated build's meson-python, meson, ninja and cffi). One environment for the
# whole suite: every extra of pyproject.toml except airflow, which has its own venv
# (tests/airflow/venv.sh, tests/airflow/constraints.txt).
PINETL_VENV=${PINETL_VENV:-$PINETL_ROOT/.venv}
PINETL_EXTRAS=test,dask,spark,delta,emulate,mysql,kafka,report,s3,bench
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
