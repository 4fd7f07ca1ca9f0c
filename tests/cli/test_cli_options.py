#!/usr/bin/python3
"""Every subcommand parses its options with the one parser (libpinetl/cli/options.c): the same
message and exit status 2 for a bad number, an unknown option, a missing value, a bad choice and
a missing required option; --help exits 0 on stdout; options are accepted before or after the
inputs and as --name=value.

Usage: test_cli_options.py PINETL   (run from the project root; meson does)
"""
import os
import subprocess
import sys
import tempfile

PINETL = os.path.abspath(sys.argv[1])
failures = 0
SAMPLE = "tests/data/envelopes/geo.kinesis.jsonl"


def check(cond, what):
    global failures
    if not cond:
        failures += 1
        print("FAIL:", what, file=sys.stderr)


def run(*args):
    p = subprocess.run([PINETL, *args], capture_output=True, text=True, stdin=subprocess.DEVNULL,
                       timeout=120)
    return p.returncode, p.stdout, p.stderr


def expect_usage_error(args, message):
    code, out, err = run(*args)
    check(code == 2, f"{args}: exit {code}, expected 2 ({err.strip()!r})")
    check(out == "", f"{args}: wrote to stdout: {out[:80]!r}")
    check(message in err, f"{args}: stderr {err.strip()!r} lacks {message!r}")
    check(err.count("\n") == 1, f"{args}: expected one line on stderr, got {err!r}")


with tempfile.TemporaryDirectory() as tmp:
    db = os.path.join(tmp, "w.db")
    common = {
        "clean": ["--table", "geo"],
        "load": ["--db", db, "--table", "geo"],
        "insights": ["--db", db],
    }
    for cmd, base in common.items():
        for bad in ("abc", "-1", "1025", "", "3x"):
            expect_usage_error([cmd, *base, "--threads", bad, SAMPLE],
                               f"pinetl {cmd}: --threads wants a number from 0 to 1024, not '{bad}'")
        expect_usage_error([cmd, *base, "--bogus", SAMPLE],
                           f"pinetl {cmd}: unknown option '--bogus' (see pinetl {cmd} --help)")
        expect_usage_error([cmd, *base, SAMPLE, "--input-format"],
                           f"pinetl {cmd}: option '--input-format' needs a value")
        expect_usage_error([cmd, *base, "--input-format", "xml", SAMPLE],
                           f"pinetl {cmd}: unknown input format 'xml'")
        code, out, err = run(cmd, "--help")
        check(code == 0 and out.startswith(f"usage: pinetl {cmd}") and err == "",
              f"{cmd} --help: exit {code}, stdout {out[:40]!r}")
        code, out, _ = run(cmd, "--version")
        check(code == 0 and out.startswith("pinetl "), f"{cmd} --version: exit {code}")

    expect_usage_error(["clean", SAMPLE], "pinetl clean: --table is required")
    expect_usage_error(["load", "--table", "geo", SAMPLE], "pinetl load: --db is required")
    expect_usage_error(["load", "--db", db, SAMPLE], "pinetl load: --table is required")
    expect_usage_error(["load", "--db", db, "--table", "nope", SAMPLE],
                       "pinetl load: unknown table 'nope' (expected pin, geo or user)")
    expect_usage_error(["clean", "--table", "geo", "--format", "xml", SAMPLE],
                       "pinetl clean: unknown format 'xml' (expected jsonl or csv)")
    expect_usage_error(["insights", "--db", db, "--format", "xml"],
                       "pinetl insights: unknown format 'xml' (expected table, json or csv)")
    expect_usage_error(["insights", "--db", db, "--median", "mean"],
                       "pinetl insights: unknown median 'mean' (expected approx or interpolated)")

    # Valid values work in every spelling: before or after the inputs, --name=value, short.
    code, _, err = run("load", SAMPLE, "--db=" + db, "-t", "geo", "--threads=2", "-q")
    check(code == 0 and err == "", f"load with mixed spellings: exit {code}, {err!r}")
    code, out, _ = run("clean", SAMPLE, "-t", "geo", "-T", "1", "-q", "-f", "csv")
    check(code == 0 and out.startswith("ind,"), f"clean with short options: exit {code}")
    code, out, _ = run("insights", "-q", "--threads", "0", "--db", db, "-f", "csv",
                       "top_category_by_country")
    check(code == 0 and out.startswith("country,category"), f"insights: exit {code}")
    code, out, _ = run("insights", "--list")
    check(code == 0 and len(out.split()) == 9, f"insights --list: exit {code}, {out!r}")

print(f"{failures} failures")
sys.exit(1 if failures else 0)
