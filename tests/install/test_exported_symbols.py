#!/usr/bin/python3
"""Symbols of every library the build makes.

- A shared library exports exactly the public API: every function declared PINETL_API in the
  public headers, and nothing else (no symbol without the pinetl_ prefix, no internal pinetl__
  function). The loadable SQLite extension may add its entry point, sqlite3_pinetl_init.
- A static archive defines only global names with the pinetl_ prefix (the public API) or the
  semi-private pinetl__ prefix (internal: module_verb, libgit2 style), so a program that links
  it and has its own json_parse or buffer_append still links. A single-underscore pinetl_ name
  in an archive must be public.

Usage: test_exported_symbols.py [--shared LIB.so]... [--extension EXT.so]... [--static LIB.a]...
(run from the project root). A new library (for example a server's) is registered by passing it
with the right flag from its meson.build.
"""
import glob
import re
import subprocess
import sys

EXTENSION_ENTRY_POINTS = {"sqlite3_pinetl_init"}


def declared_api():
    declared = set()
    for header in glob.glob("libpinetl/include/pinetl/*.h"):
        with open(header, encoding="utf-8") as f:
            text = f.read()
        # PINETL_API <return type> <name>(  -- the name is the identifier before the '('.
        for m in re.finditer(r"PINETL_API\b[^;(]*?\b(pinetl_\w+)\s*\(", text):
            declared.add(m.group(1))
    return declared


def dynamic_exports(lib):
    out = subprocess.run(["nm", "-D", "--defined-only", lib], check=True,
                         capture_output=True, text=True).stdout
    return {parts[2].split("@")[0] for parts in map(str.split, out.splitlines()) if len(parts) == 3}


def archive_globals(lib):
    """(object file, name) of every global symbol an archive defines."""
    out = subprocess.run(["nm", "-g", "--defined-only", lib], check=True,
                         capture_output=True, text=True).stdout
    member, names = "?", []
    for line in out.splitlines():
        if line.endswith(":"):
            member = line[:-1]
            continue
        parts = line.split()
        if len(parts) == 3:
            names.append((member, parts[2]))
    return names


def check_shared(lib, declared, extra, failures):
    exported = dynamic_exports(lib)
    if not exported:
        failures.append(f"{lib} exports nothing")
    for name in sorted(exported - extra):
        if name.startswith("__"):
            continue   # the toolchain's own (sanitizers, coverage): reserved names
        if not name.startswith("pinetl_") or name.startswith("pinetl__"):
            failures.append(f"{lib}: exported symbol outside the public pinetl_ prefix: {name}")
        elif name not in declared:
            failures.append(f"{lib}: exported but not in a public header (internal symbol leaked?): {name}")
    return exported


def check_static(lib, declared, failures):
    names = archive_globals(lib)
    if not names:
        failures.append(f"{lib} defines nothing")
    for member, name in names:
        if name.startswith("__"):
            continue   # the toolchain's own (sanitizers' __odr_asan.*, coverage): reserved names
        if name.startswith("pinetl__"):
            continue
        if name.startswith("pinetl_") and name in declared:
            continue
        if name.startswith("pinetl_"):
            failures.append(f"{lib}({member}): {name} is internal: name it pinetl__module_verb")
        else:
            failures.append(f"{lib}({member}): global symbol without the pinetl_/pinetl__ prefix: {name}")
    return names


def main(argv):
    shared, extensions, static = [], [], []
    it = iter(argv)
    for flag in it:
        target = {"--shared": shared, "--extension": extensions, "--static": static}.get(flag)
        if target is None:
            print(f"usage: {__doc__.splitlines()[-3]}", file=sys.stderr)
            return 2
        target.append(next(it))
    failures = []
    declared = declared_api()
    if len(declared) < 50:
        failures.append(f"found only {len(declared)} PINETL_API declarations: header parse broken?")
    for lib in shared:
        exported = check_shared(lib, declared, set(), failures)
        for name in sorted(declared - exported):
            failures.append(f"{lib}: declared PINETL_API but not exported: {name}")
        print(f"{lib}: {len(exported)} symbols exported, {len(declared)} declared")
    for lib in extensions:
        exported = check_shared(lib, declared, EXTENSION_ENTRY_POINTS, failures)
        for name in sorted(EXTENSION_ENTRY_POINTS - exported):
            failures.append(f"{lib}: entry point {name} not exported")
        print(f"{lib}: {len(exported)} symbols exported")
    for lib in static:
        names = check_static(lib, declared, failures)
        internal = sum(1 for _, n in names if n.startswith("pinetl__"))
        print(f"{lib}: {len(names)} global symbols, {internal} semi-private pinetl__")
    if not (shared or extensions or static):
        failures.append("no library given")
    for f in failures:
        print("FAIL:", f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
