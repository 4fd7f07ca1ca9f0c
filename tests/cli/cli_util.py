"""Shared by the CLI tests: the pinetl binary from argv, a failure counter, the sample paths."""
import os
import subprocess
import sys

PINETL = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else "pinetl"
SAMPLE = "tests/data/real-sample"
TABLES = ("pin", "geo", "user")
_failures = []


def check(cond, what):
    if not cond:
        _failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def run(*args, stdin=None, timeout=120):
    p = subprocess.run([PINETL, *args], input=stdin, capture_output=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def finish():
    """Exit status for meson: 0 when every check passed."""
    print("%d failed checks" % len(_failures))
    sys.exit(1 if _failures else 0)
