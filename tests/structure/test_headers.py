#!/usr/bin/python3
"""Each public header is self-contained: a translation unit that includes only it (twice, to
check its guard) compiles as C11 and as C++ (strict, warnings are errors). version.h comes from
the build directory.

Usage: test_headers.py BUILD_DIR CC...   (run from the project root; meson passes its C compiler;
the C++ compiler is $CXX, else c++ or g++ on PATH.)
"""
import os
import shutil
import subprocess
import sys
import tempfile

HEADERS = "libpinetl/include/pinetl"


def main(argv):
    build, cc = argv[0], argv[1:]
    cxx = [os.environ["CXX"]] if os.environ.get("CXX") else None
    if cxx is None:
        found = shutil.which("c++") or shutil.which("g++")
        cxx = [found] if found else None
    if not cc or cxx is None:
        print("FAIL: need a C and a C++ compiler (bash tests/run.sh installs g++)", file=sys.stderr)
        return 1
    includes = ["-I", "libpinetl/include", "-I", os.path.join(build, "libpinetl/include"),
                "-I", os.path.join(build, "libpinetl/include/pinetl")]
    names = sorted(h[:-3] if h.endswith(".h.in") else h for h in os.listdir(HEADERS)
                   if h.endswith((".h", ".h.in")))
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            body = f"#include <pinetl/{name}>\n#include <pinetl/{name}>\nint pinetl_header_test;\n"
            for lang, compiler, flags, ext in (
                    ("C11", cc, ["-std=c11"], ".c"),
                    ("C++", cxx, ["-std=c++11", "-x", "c++"], ".cpp")):
                src = os.path.join(tmp, name.replace(".", "_") + ext)
                with open(src, "w", encoding="utf-8") as f:
                    f.write(body)
                cmd = compiler + flags + ["-pedantic", "-Wall", "-Wextra", "-Werror",
                                          "-fsyntax-only"] + includes + [src]
                p = subprocess.run(cmd, capture_output=True, text=True)
                if p.returncode != 0:
                    failures += 1
                    print(f"FAIL: {name} alone as {lang}:\n{p.stderr[:3000]}", file=sys.stderr)
    print(f"{len(names)} public headers compiled alone as C11 and C++; {failures} failures")
    return 1 if failures or not names else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
