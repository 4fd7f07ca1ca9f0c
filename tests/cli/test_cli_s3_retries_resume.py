#!/usr/bin/python3
"""The s3:// reader against scripted failures (s3_util.FakeS3): listings follow continuation
tokens (sent back encoded) page after page; a throttled request (503 SlowDown) is retried; a GET
cut mid-body resumes with a Range request at the byte already read, so the output is the same
bytes as the local run; a server that goes away mid-read fails after AWS_MAX_ATTEMPTS attempts
with a clear error, and `pinetl load` then loads nothing.

Usage: test_cli_s3_retries_resume.py PINETL   (run from the project root; meson does)"""
import os
import sqlite3
import subprocess
import tempfile

from cli_util import PINETL, SAMPLE, check, finish
from s3_util import FakeS3, sink_tree, write_tree


def run(env, *args):
    p = subprocess.run([PINETL, *args], capture_output=True, timeout=120, env=env)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


with open(os.path.join(SAMPLE, "pin.jsonl"), "rb") as f:
    objects = sink_tree("pin", f.readlines(), parts=2, per_object=400)
first = sorted(objects)[0]

with tempfile.TemporaryDirectory() as tmp:
    write_tree(tmp, objects)
    _, want, _ = run(os.environ, "clean", "-t", "pin", "-q", tmp)

    # Pages of 2 keys: every object is found, in the layout's order.
    fake = FakeS3(objects, page=2)
    rc, got, err = run(fake.env(), "clean", "-t", "pin", "-q", "s3://b/topics")
    lists = [r for r in fake.requests if "list-type=2" in r[2]]
    check(rc == 0 and got == want, "pages: exit %d, %d vs %d bytes, %r" % (
        rc, len(got), len(want), err))
    check(len(lists) == (len(objects) + 1) // 2 and
          "continuation-token=t%2B%2F2%3D%3D&list-type=2&prefix=topics" in lists[1][2],
          "continuation tokens: %r" % lists[:2])
    fake.close()

    # Throttled, then a GET cut halfway: retried and resumed at the byte reached.
    fake = FakeS3(objects, plan=["503", None, "503", "cut"])
    rc, got, err = run(fake.env(), "clean", "-t", "pin", "-q", "s3://b/topics/p.pin")
    gets = [r for r in fake.requests if "list-type" not in r[2]]
    half = len(objects[first]) // 2
    check(rc == 0 and got == want, "503 and cut: exit %d, %d vs %d bytes, %r" % (
        rc, len(got), len(want), err))
    check(len(fake.requests) == len(objects) + 4 and gets[0][3] is None and
          gets[1][3] is None and gets[2][3] == "bytes=%d-" % half,
          "retries and Range: %r" % fake.requests[:5])
    fake.close()

    # Gone mid-read: the first GET cut, then every connection closed.
    fake = FakeS3(objects, plan=[None, "cut"] + ["close"] * 10)
    db = os.path.join(tmp, "w.db")
    rc, out, err = run(fake.env(AWS_MAX_ATTEMPTS="3"), "load", "--db", db, "-t", "pin", "-q",
                       "s3://b/topics")
    c = sqlite3.connect(db)
    try:
        n = c.execute("SELECT count(*) FROM pin").fetchone()[0]
    except sqlite3.OperationalError:
        n = 0
    c.close()
    check(rc != 0 and "'s3://b/%s': gave up after 3 attempts" % first in err and n == 0,
          "gone mid-read: exit %d, %d rows, %r" % (rc, n, err))
    fake.close()
finish()
