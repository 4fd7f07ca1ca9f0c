#!/usr/bin/python3
"""End to end: the built `pinetl clean` on the real sample, for each table and envelope form.

Checks: stdout lines + rejects == input records; every envelope form (Kafka REST, consumer dump,
Kinesis, pretty-printed array, S3 sink directory, stdin) gives byte-identical output to the plain
JSON lines; CSV has a header and one line per record; exit codes (usage error 2, missing file 2,
--strict with a reject 1, rejects alone 0); the rejects file and the stderr reject lines; a closed
pipe ends the run quietly; spot-checked values.

Usage: test_cli_clean_real_sample.py PINETL   (run from the project root; meson does)
"""
import json
import os
import subprocess
import sys
import tempfile

PINETL = os.path.abspath(sys.argv[1])
TABLES = ("pin", "geo", "user")
failures = 0


def check(cond, what):
    global failures
    if not cond:
        failures += 1
        print("FAIL:", what, file=sys.stderr)


def run(*args, stdin=None):
    p = subprocess.run([PINETL, "clean", *args], input=stdin, capture_output=True)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def count_records(path):
    with open(path, "rb") as f:
        return sum(1 for line in f if line.strip())


def test_envelopes_match_plain():
    for t in TABLES:
        plain = "tests/data/real-sample/%s.jsonl" % t
        n = count_records(plain)
        rc, ref, err = run("--table", t, "--quiet", plain)
        check(rc == 0, "%s plain: exit %d (%s)" % (t, rc, err))
        check(ref.count(b"\n") == n, "%s plain: %d lines for %d records" % (t, ref.count(b"\n"), n))
        check(err == "", "%s plain: no rejects expected, stderr %r" % (t, err[:200]))
        forms = [
            ("kafka-rest", ["tests/data/envelopes/%s.kafka-rest.jsonl" % t]),
            ("kafka-dump", ["tests/data/envelopes/%s.kafka-dump.jsonl" % t]),
            ("kinesis", ["tests/data/envelopes/%s.kinesis.jsonl" % t]),
            ("array", ["tests/data/envelopes/%s.array.json" % t]),
            ("s3-sink", ["tests/data/envelopes/s3-sink"]),
            ("auto", ["tests/data/envelopes/%s.kinesis.jsonl" % t]),
        ]
        for fmt, paths in forms:
            for threads in ("1", "2"):
                rc, out, err = run("--table", t, "--quiet", "--input-format", fmt,
                                   "--threads", threads, *paths)
                check(rc == 0, "%s %s: exit %d (%s)" % (t, fmt, rc, err[:200]))
                check(out == ref, "%s %s (%s threads): output differs from plain JSON lines"
                      % (t, fmt, threads))
        with open("tests/data/envelopes/%s.kafka-rest.jsonl" % t, "rb") as f:
            rc, out, err = run("--table", t, "--quiet", stdin=f.read())
        check(rc == 0 and out == ref, "%s stdin: output differs" % t)
        rc, out, err = run("--table", t, "--format", "csv", "--quiet", plain)
        lines = out.decode("utf-8").split("\n")
        check(rc == 0 and lines[-1] == "", "%s csv: exit %d" % (t, rc))
        check(lines[0].startswith("ind,"), "%s csv header: %r" % (t, lines[0]))
        check(out.count(b"\n") >= n + 1, "%s csv: fewer lines than records" % t)


def test_spot_values():
    rc, out, err = run("--table", "pin", "--quiet", "tests/data/real-sample/pin.jsonl")
    rows = [json.loads(l) for l in out.decode("utf-8").splitlines()]
    check(rows[0]["ind"] == 7528 and rows[0]["title"] is None
          and rows[0]["follower_count"] is None
          and rows[0]["save_location"] == "/data/mens-fashion", "pin row 1: %r" % rows[0])
    check(rows[1]["follower_count"] == 124000, "pin row 2 follower_count: %r" % rows[1])
    rc, out, err = run("--table", "geo", "--quiet", "tests/data/real-sample/geo.jsonl")
    first = json.loads(out.decode("utf-8").splitlines()[0])
    check(first == {"ind": 7528, "country": "Albania", "coordinates": [-89.9787, -173.293],
                    "timestamp": "2020-08-28T03:52:47Z"}, "geo row 1: %r" % first)
    rc, out, err = run("--table", "user", "--quiet", "tests/data/real-sample/user.jsonl")
    first = json.loads(out.decode("utf-8").splitlines()[0])
    check(first == {"ind": 7528, "user_name": "Abigail Ali", "age": 20,
                    "date_joined": "2015-10-24T11:23:51Z"}, "user row 1: %r" % first)


def test_rejects_and_exit_codes():
    bad = "tests/data/io/malformed.jsonl"   # 12 records: 5 cleaned, 7 rejected
    rc, out, err = run("--table", "pin", bad)
    reject_lines = [l for l in err.splitlines() if l.startswith("pinetl: rejected ")]
    check(rc == 0, "rejects alone exit 0, got %d" % rc)
    check(out.count(b"\n") + len(reject_lines) == 12, "malformed: %d + %d != 12"
          % (out.count(b"\n"), len(reject_lines)))
    check(any(l.startswith("pinetl: rejected %s:3 (byte 37): " % bad) for l in reject_lines),
          "reject line format: %r" % reject_lines[:2])
    check("read 12" in err or "12" in err, "summary on stderr: %r" % err[-300:])
    with tempfile.TemporaryDirectory() as d:
        rj, sj = os.path.join(d, "rejects.jsonl"), os.path.join(d, "summary.json")
        rc, out, err = run("--table", "pin", "--rejects", rj, "--summary-json", sj, "--quiet", bad)
        check(rc == 0, "with --rejects: exit %d" % rc)
        with open(rj, encoding="utf-8") as f:
            rejects = [json.loads(l) for l in f]
        check(len(rejects) == 7, "rejects file has %d lines" % len(rejects))
        check(rejects and rejects[0]["line"] == 3 and rejects[0]["reason"] == "invalid_utf8"
              and rejects[0]["source"] == bad, "first reject: %r" % (rejects[:1],))
        check(len([l for l in err.splitlines() if l.startswith("pinetl: rejected")]) == 7,
              "stderr shows the rejects (7 <= 10)")
        with open(sj, encoding="utf-8") as f:
            summary = json.load(f)
        check(isinstance(summary, dict), "summary json: %r" % summary)
        # Many rejects: the first 10 on stderr, then "... N more in FILE".
        with open(os.path.join(d, "many.jsonl"), "w") as f:
            f.write("".join('{"index": "x%d"}\n' % i for i in range(25)))
        rc, out, err = run("--table", "pin", "--rejects", rj, "--quiet",
                           os.path.join(d, "many.jsonl"))
        shown = [l for l in err.splitlines() if l.startswith("pinetl: rejected")]
        check(rc == 0 and len(shown) == 10 and ("... 15 more in %s" % rj) in err,
              "many rejects: %d shown, stderr %r" % (len(shown), err[-200:]))
    rc, out, err = run("--table", "pin", "--strict", bad)
    check(rc == 1, "--strict with a reject: exit %d" % rc)
    check("%s:3 (byte 37)" % bad in err and len(err.strip().splitlines()) == 1,
          "--strict message: %r" % err)
    rc, out, err = run("--table", "pin", "--strict", "--quiet", "tests/data/real-sample/pin.jsonl")
    check(rc == 0, "--strict without rejects: exit %d" % rc)
    rc, out, err = run("--table", "pin", "tests/data/real-sample/pin.jsonl", "tests/data/nope.jsonl")
    check(rc == 2 and out == b"" and "nope.jsonl" in err and len(err.strip().splitlines()) == 1,
          "missing file: exit %d, stdout %d bytes, stderr %r" % (rc, len(out), err))
    for args in (["tests/data/real-sample/pin.jsonl"], ["--table", "pins"],
                 ["--table", "pin", "--format", "xml"], ["--table", "pin", "--input-format", "x"],
                 ["--table", "pin", "--threads", "-1"], ["--table", "pin", "--bogus"],
                 ["--table"]):
        rc, out, err = run(*args)
        check(rc == 2 and out == b"" and len(err.strip().splitlines()) == 1,
              "usage error %r: exit %d, stderr %r" % (args, rc, err))
    rc, out, err = run("--help")
    check(rc == 0 and b"--table" in out, "--help")
    p = subprocess.run([PINETL, "--version"], capture_output=True)
    check(p.returncode == 0 and p.stdout.startswith(b"pinetl "), "--version")
    # Notices for files outside the S3 layout, unless --quiet.
    rc, out, err = run("--table", "pin", "tests/data/io/s3-layout")
    check(rc == 0 and "notes.txt" in err and out.count(b"\n") == 4, "s3 notices: %r" % err)


def test_closed_pipe():
    # `pinetl clean ... | head -1`: the run ends quietly when the reader goes away.
    p = subprocess.Popen([PINETL, "clean", "--table", "pin", "tests/data/envelopes/pin.array.json",
                          "tests/data/envelopes/pin.kafka-rest.jsonl",
                          "tests/data/envelopes/pin.kinesis.jsonl"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.readline()
    p.stdout.close()
    err = p.stderr.read().decode("utf-8", "replace")
    rc = p.wait()
    check(rc == 0 and "Broken pipe" not in err, "closed pipe: exit %d, stderr %r" % (rc, err))


for test in (test_envelopes_match_plain, test_spot_values, test_rejects_and_exit_codes,
             test_closed_pipe):
    before = failures
    test()
    print("%s %s" % ("ok  " if failures == before else "FAIL", test.__name__), file=sys.stderr)
sys.exit(1 if failures else 0)
