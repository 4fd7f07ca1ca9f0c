#!/usr/bin/python3
"""A program outside the tree builds against the INSTALLED libpinetl through pkg-config only.

Installs the build into a temporary directory (meson install --destdir), compiles
examples/c/clean_to_csv.c with nothing but `pkg-config --cflags --libs pinetl` (PKG_CONFIG_PATH
and PKG_CONFIG_SYSROOT_DIR pointing into that directory, so the source tree's headers cannot
leak in), runs it against the installed shared library and checks its CSV and summary on
tests/data/real-sample/geo.jsonl.

Usage: test_pkg_config_consumer.py BUILD_DIR VERSION B_SANITIZE CC...  (run from the project root)
"""
import csv
import glob
import io
import json
import os
import subprocess
import sys
import tempfile

SAMPLE = "tests/data/real-sample/geo.jsonl"
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def run(cmd, env=None):
    print("$", " ".join(cmd))
    return subprocess.run(cmd, env=env, capture_output=True)


def main():
    build, version, sanitize, cc = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    with tempfile.TemporaryDirectory(prefix="pinetl-install-") as tmp:
        dest = os.path.join(tmp, "root")
        r = run(["meson", "install", "-C", build, "--destdir", dest, "--no-rebuild", "--quiet"])
        if r.returncode != 0:
            sys.stderr.write(r.stdout.decode() + r.stderr.decode())
            return 1

        pcs = glob.glob(os.path.join(dest, "**", "pkgconfig", "pinetl.pc"), recursive=True)
        check(len(pcs) == 1, f"one installed pinetl.pc, found {pcs}")
        if not pcs:
            return 1
        env = dict(os.environ)
        env["PKG_CONFIG_PATH"] = os.path.dirname(pcs[0])
        env["PKG_CONFIG_SYSROOT_DIR"] = dest

        r = run(["pkg-config", "--modversion", "pinetl"], env=env)
        check(r.stdout.decode().strip() == version,
              f"pkg-config --modversion pinetl == {version!r}, got {r.stdout!r} {r.stderr!r}")
        r = run(["pkg-config", "--cflags", "--libs", "pinetl"], env=env)
        check(r.returncode == 0, f"pkg-config --cflags --libs pinetl: {r.stderr.decode()}")
        flags = r.stdout.decode().split()
        for flag in flags:
            if flag.startswith(("-I", "-L")):
                check(flag[2:].startswith(dest), f"{flag} points outside the install directory")
        libdirs = [f[2:] for f in flags if f.startswith("-L")]
        check(len(libdirs) == 1, f"one -L in {flags}")
        if failures:
            return 1
        check(os.path.exists(os.path.join(libdirs[0], "libpinetl.so")), "libpinetl.so installed")

        exe = os.path.join(tmp, "clean_to_csv")
        extra = [] if sanitize in ("", "none") else [f"-fsanitize={sanitize}"]
        # The example's own source only: no -I into the tree, so only installed headers serve.
        cmd = cc + ["-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic",
                    "examples/c/clean_to_csv.c", "-o", exe] + flags + extra
        r = run(cmd, env=env)
        check(r.returncode == 0, "the example compiles and links:\n" + r.stderr.decode())
        if failures:
            return 1

        # Linked to the installed shared library, not a static copy.
        r = run(["readelf", "-d", exe])
        check(b"libpinetl.so" in r.stdout, "the example needs libpinetl.so (dynamic link)")
        run_env = dict(os.environ)
        run_env["LD_LIBRARY_PATH"] = libdirs[0]
        r = run(["ldd", exe], env=run_env)
        check(any(line.strip().startswith("libpinetl.so") and libdirs[0] in line
                  for line in r.stdout.decode().split("\n")),
              "ldd resolves libpinetl.so into the install directory:\n" + r.stdout.decode())

        r = run([exe, "geo", SAMPLE], env=run_env)
        out, err = r.stdout.decode(), r.stderr.decode()
        with open(SAMPLE, encoding="utf-8") as f:
            records = [json.loads(line) for line in f if line.strip()]
        check(r.returncode == 0, f"exit status 0 (no rejects), got {r.returncode}: {err[-2000:]}")
        rows = list(csv.reader(io.StringIO(out, newline="")))
        check(rows and rows[0] == ["ind", "country", "coordinates", "timestamp"],
              f"CSV header, got {rows[:1]}")
        check(len(rows) == 1 + len(records), f"{len(records)} CSV rows, got {len(rows) - 1}")
        check(rows[1:2] == [["7528", "Albania", "[-89.9787,-173.293]", "2020-08-28T03:52:47Z"]],
              f"first row, got {rows[1:2]}")
        check(out.split("\n", 2)[1] == '7528,Albania,"[-89.9787,-173.293]",2020-08-28T03:52:47Z',
              "first line quotes the coordinates only")
        # Every row against the raw record: key, country and coordinates read back exactly.
        for rec, row in zip(records, rows[1:]):
            lat, lon = (float(x) for x in row[2].strip("[]").split(","))
            if (int(row[0]), row[1], lat, lon) != (rec["ind"], rec["country"], rec["latitude"],
                                                    rec["longitude"]):
                check(False, f"row {row} does not match record {rec}")
                break
        check(str(len(records)) in err, f"the summary counts {len(records)} records:\n{err}")

        # Usage errors are reported, not crashes.
        r = run([exe, "nosuchtable", SAMPLE], env=run_env)
        check(r.returncode == 2 and version in r.stderr.decode(), "usage message with version")
        r = run([exe, "geo", os.path.join(tmp, "missing.jsonl")], env=run_env)
        check(r.returncode == 2 and "missing.jsonl" in r.stderr.decode(),
              "a missing input is named in the error")
    print(f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
