#!/usr/bin/python3
"""The shared library exports exactly the public API: every function declared PINETL_API in the
public headers, and nothing else (no symbol without the pinetl_ prefix, no internal pinetl_
function such as pinetl_set_error).

Usage: test_exported_symbols.py LIBPINETL_SO  (run from the project root)
"""
import glob
import re
import subprocess
import sys


def main():
    lib = sys.argv[1]
    out = subprocess.run(["nm", "-D", "--defined-only", lib], check=True,
                         capture_output=True, text=True).stdout
    exported = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3:
            exported.add(parts[2].split("@")[0])
    failures = []
    if not exported:
        failures.append(f"{lib} exports nothing")
    for name in sorted(exported):
        if not name.startswith("pinetl_"):
            failures.append(f"exported symbol without the pinetl_ prefix: {name}")

    declared = set()
    for header in glob.glob("libpinetl/include/pinetl/*.h"):
        with open(header, encoding="utf-8") as f:
            text = f.read()
        # PINETL_API <return type> <name>(  -- the name is the identifier before the '('.
        for m in re.finditer(r"PINETL_API\b[^;(]*?\b(pinetl_\w+)\s*\(", text):
            declared.add(m.group(1))
    if len(declared) < 50:
        failures.append(f"found only {len(declared)} PINETL_API declarations: header parse broken?")
    for name in sorted(declared - exported):
        failures.append(f"declared PINETL_API but not exported: {name}")
    for name in sorted(exported - declared):
        failures.append(f"exported but not in a public header (internal symbol leaked?): {name}")

    for f in failures:
        print("FAIL:", f, file=sys.stderr)
    print(f"{len(exported)} symbols exported, {len(declared)} declared in the public headers")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
