#!/usr/bin/python3
"""--strict: the summary describes exactly what was output. Workers clean batches ahead of the
writer, so the reader's own totals ran ahead (it said 8,565 read while nothing was written); the
summary now counts the cleaned records written and the one reject shown.

Usage: test_strict_summary_matches_output.py PINETL   (run from the project root; meson does)"""
import json
import os
import tempfile

from cli_util import SAMPLE, check, finish, run

with open(os.path.join(SAMPLE, "geo.jsonl"), "rb") as f:
    lines = [line for line in f if line.strip()]

with tempfile.TemporaryDirectory() as tmp:
    # Six copies of the sample (about 2 MiB, several batches) with a bad record late in the
    # file and more after it.
    data = lines * 6
    first_bad = 11000
    for k in (first_bad, first_bad + 50, len(data) - 3):
        data[k] = b'{"ind": "12a", "country": "Chad"}\n'
    src = os.path.join(tmp, "geo.jsonl")
    with open(src, "wb") as f:
        f.writelines(data)
    summary_path = os.path.join(tmp, "summary.json")
    for threads in ("1", "2", "4"):
        rc, out, err = run("clean", "--table", "geo", "--strict", "-q", "--threads", threads,
                           "--summary-json", summary_path, src)
        check(rc == 1, "threads %s: exit %d, expected 1" % (threads, rc))
        with open(summary_path) as f:
            summary = json.load(f)
        written = out.count(b"\n")
        check(summary["cleaned"] == written,
              "threads %s: summary says %d cleaned, %d written" % (threads, summary["cleaned"], written))
        check(summary["rejected"] == 1 and err.count("rejected") == 1,
              "threads %s: summary says %d rejected; stderr %r" % (threads, summary["rejected"], err))
        check(summary["read"] == written + 1,
              "threads %s: summary says %d read for %d written + 1 reject" % (threads, summary["read"], written))
        check(written <= first_bad, "threads %s: %d written past the first reject" % (threads, written))

    # Without a reject, --strict writes everything and says so.
    rc, out, err = run("clean", "--table", "geo", "--strict", "-q", "--summary-json", summary_path,
                       os.path.join(SAMPLE, "geo.jsonl"))
    with open(summary_path) as f:
        summary = json.load(f)
    check(rc == 0 and summary["read"] == summary["cleaned"] == len(lines) == out.count(b"\n"),
          "clean input under --strict: exit %d, summary %r" % (rc, summary))
finish()
