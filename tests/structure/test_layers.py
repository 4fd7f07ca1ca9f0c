#!/usr/bin/python3
"""Layers point one way (libpinetl/layers.txt): no include and no call from a lower level to a
higher one or between peers, no cycle between the files of one folder, no pinetl__ internal used
by a public-API consumer, and no source folder that layers.txt does not list.

Usage: test_layers.py BUILD_DIR   (run from the project root, after the build; reads the
build's compile_commands.json to find each source's object and `nm`s it.)
"""
import json
import os
import re
import subprocess
import sys

ROOT = os.getcwd()
LAYERS = "libpinetl/layers.txt"
# Folders whose C sources are not part of the layered code (each is its own consumer).
UNLAYERED = ("tests/", "bench/", "examples/", "build")
INCLUDE_RE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)
SEARCH = ["libpinetl/src", "libpinetl/include/pinetl", "libpinetl/include"]


def load_layers():
    folders, headers = {}, {}
    with open(LAYERS, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].split()
            if not line:
                continue
            level, path, flags = int(line[0]), line[1].rstrip("/"), set(line[2:])
            if path.endswith(".h"):
                headers[path] = level
            else:
                folders[path] = (level, "public-api" in flags)
    return folders, headers


def folder_of(path, folders):
    """The registered folder holding path (longest prefix), or None."""
    best = None
    for f in folders:
        if path == f or path.startswith(f + "/"):
            if best is None or len(f) > len(best):
                best = f
    return best


def level_of(path, folders, headers):
    if path in headers:
        return headers[path], path
    f = folder_of(path, folders)
    return (folders[f][0], f) if f else (None, None)


def resolve(include, quoted, src):
    cands = []
    if quoted:
        cands.append(os.path.join(os.path.dirname(src), include))
    cands += [os.path.join(d, include) for d in SEARCH]
    for c in cands:
        c = os.path.normpath(c)
        if os.path.isfile(c) or os.path.isfile(c + ".in"):
            return c
    return None


def check_includes(folders, headers, failures):
    checked = 0
    for folder in folders:
        for dirpath, _, files in os.walk(folder):
            for name in files:
                if not name.endswith((".c", ".h")):
                    continue
                src = os.path.normpath(os.path.join(dirpath, name))
                own = folder_of(src, folders)
                level = folders[own][0]
                with open(src, encoding="utf-8", errors="replace") as f:
                    text = f.read()
                checked += 1
                for m in INCLUDE_RE.finditer(text):
                    target = resolve(m.group(2), m.group(1) == '"', src)
                    if target is None or target.startswith(UNLAYERED):
                        continue   # a system or third-party header
                    tlevel, towner = level_of(target, folders, headers)
                    if tlevel is None:
                        failures.append(f"{src}: includes {target}, which no line of {LAYERS} covers")
                    elif towner in headers:
                        if tlevel > level:
                            failures.append(f"{src} (level {level}): includes public {target} "
                                            f"(level {tlevel}): a back-edge")
                    elif towner != own and tlevel >= level:
                        kind = "a peer" if tlevel == level else "a back-edge"
                        failures.append(f"{src} ({own}, level {level}): includes {target} "
                                        f"({towner}, level {tlevel}): {kind}")
    return checked


def nm(obj):
    out = subprocess.run(["nm", obj], check=True, capture_output=True, text=True).stdout
    defined, undefined = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "U":
            undefined.add(parts[1])
        elif len(parts) == 3 and parts[1].isupper() and parts[1] not in "UW":
            defined.add(parts[2])
        elif len(parts) == 3 and parts[1] == "W":
            defined.add(parts[2])
    return defined, undefined


def check_links(build, folders, failures):
    with open(os.path.join(build, "compile_commands.json"), encoding="utf-8") as f:
        commands = json.load(f)
    objects = []   # (source relative to ROOT, object path)
    for c in commands:
        src = os.path.relpath(os.path.normpath(os.path.join(c["directory"], c["file"])), ROOT)
        obj = os.path.join(c["directory"], c["output"])
        if src.startswith(UNLAYERED) or src.startswith(".."):
            continue
        if not src.endswith(".c"):
            continue
        owner = folder_of(src, folders)
        if owner is None:
            failures.append(f"{src}: its folder is not registered in {LAYERS}")
            continue
        if not os.path.exists(obj):
            failures.append(f"{obj}: not built (build before running this test)")
            continue
        objects.append((src, owner, obj))
    defs = {}      # symbol -> set of (source, folder)
    uses = []
    for src, owner, obj in objects:
        d, u = nm(obj)
        for s in d:
            defs.setdefault(s, set()).add((src, owner))
        uses.append((src, owner, u))
    edges = {}     # source -> sources it calls into, inside one folder
    for src, owner, undefined in uses:
        level, public_only = folders[owner]
        for sym in sorted(undefined):
            if not sym.startswith("pinetl_"):
                continue   # the project's own names carry the prefix (test_exported_symbols)
            for dsrc, downer in defs.get(sym, ()):
                if downer == owner:
                    if dsrc != src:
                        edges.setdefault(src, set()).add(dsrc)
                    continue
                dlevel = folders[downer][0]
                if dlevel >= level:
                    kind = "a peer" if dlevel == level else "a back-edge"
                    failures.append(f"{src} ({owner}, level {level}) calls {sym} of {dsrc} "
                                    f"({downer}, level {dlevel}): {kind}")
            if public_only and sym.startswith("pinetl__") and sym in defs:
                failures.append(f"{src}: {owner} may use the public API only, but calls {sym}")
    for cycle in cycles(edges):
        failures.append("file cycle: " + " -> ".join(cycle + [cycle[0]]))
    return len(objects)


def cycles(edges):
    """Strongly connected components of more than one file (Tarjan), each as a list."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def check_registered(folders, failures):
    """Every folder holding C sources under libpinetl/ and bindings/ is covered by a line."""
    for top in ("libpinetl", "bindings"):
        for dirpath, _, files in os.walk(top):
            if any(n.endswith((".c", ".h")) for n in files) and dirpath != "libpinetl/include/pinetl":
                if folder_of(os.path.normpath(dirpath), folders) is None:
                    failures.append(f"{dirpath}: C sources in a folder not registered in {LAYERS}")


def main(argv):
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    folders, headers = load_layers()
    failures = []
    for h in headers:
        if not (os.path.isfile(h) or os.path.isfile(h + ".in")):
            failures.append(f"{LAYERS}: {h} does not exist")
    for f in folders:
        if not os.path.isdir(f):
            failures.append(f"{LAYERS}: {f} does not exist")
    for h in os.listdir("libpinetl/include/pinetl"):
        name = "libpinetl/include/pinetl/" + (h[:-3] if h.endswith(".h.in") else h)
        if name.endswith(".h") and name not in headers:
            failures.append(f"public header {name} is not registered in {LAYERS}")
    check_registered(folders, failures)
    files = check_includes(folders, headers, failures)
    objects = check_links(argv[0], folders, failures)
    for f in failures:
        print("FAIL:", f, file=sys.stderr)
    print(f"{len(folders)} folders, {len(headers)} public headers; {files} files' includes and "
          f"{objects} objects' calls checked; {len(failures)} problems")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
