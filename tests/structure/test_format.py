#!/usr/bin/python3
"""Every C source and header of the project is formatted as .clang-format says (Debian's
clang-format, which scripts/harness.sh installs). Fix what this reports with:
    clang-format -i FILE...

Usage: test_format.py   (run from the project root)
"""
import os
import shutil
import subprocess
import sys

FOLDERS = ["libpinetl", "bindings/python", "tests", "examples", "bench"]


def sources():
    for top in FOLDERS:
        for dirpath, dirs, files in os.walk(top):
            dirs[:] = [d for d in dirs if not d.startswith((".", "build"))]
            for name in sorted(files):
                if name.endswith((".c", ".h")):
                    yield os.path.join(dirpath, name)


def main():
    exe = shutil.which("clang-format")
    if exe is None:
        print("FAIL: clang-format is not installed (bash tests/run.sh installs it)", file=sys.stderr)
        return 1
    files = sorted(sources())
    bad = []
    for f in files:
        p = subprocess.run([exe, "--dry-run", "--Werror", "--style=file", f],
                           capture_output=True, text=True)
        if p.returncode != 0:
            bad.append(f)
            print(p.stderr[:2000], file=sys.stderr)
    for f in bad:
        print(f"FAIL: {f} is not formatted (clang-format -i {f})", file=sys.stderr)
    print(f"{len(files)} files checked, {len(bad)} not formatted")
    return 1 if bad or not files else 0


if __name__ == "__main__":
    sys.exit(main())
