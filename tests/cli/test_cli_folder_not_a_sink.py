#!/usr/bin/python3
"""`pinetl clean FOLDER` on a folder that is no S3 sink tree fails (exit 2, nothing on stdout)
with one message naming the folder and what it skipped; so does a sink tree without an object
of the table. Before, a folder of plain JSON-lines files printed 0 rows and exited 0, and an
unrelated folder was walked to any depth for sink-shaped files.

Usage: test_cli_folder_not_a_sink.py PINETL   (run from the project root; meson does)"""
import os
import shutil
import tempfile

from cli_util import SAMPLE, check, finish, run

with tempfile.TemporaryDirectory() as tmp:
    plain = os.path.join(tmp, "plain")
    os.mkdir(plain)
    shutil.copy(os.path.join(SAMPLE, "pin.jsonl"), plain)
    rc, out, err = run("clean", "--table", "pin", plain)
    check(rc == 2 and out == b"", "plain folder: exit %d, %d bytes out" % (rc, len(out)))
    check("is not an S3 sink folder" in err and "'pin.jsonl'" in err
          and "name the files to read them" in err, "plain folder message: %r" % err)
    # A landing copy deep inside an unrelated folder is not read through it.
    deep = os.path.join(tmp, "scratch", "run1", "topics", "t.pin", "partition=0")
    os.makedirs(deep)
    shutil.copy(os.path.join(SAMPLE, "pin.jsonl"), os.path.join(deep, "t.pin+0+0.json"))
    rc, out, err = run("clean", "--table", "pin", os.path.join(tmp, "scratch"))
    check(rc == 2 and out == b"" and "is not an S3 sink folder" in err,
          "unrelated folder: exit %d, %d bytes out, %r" % (rc, len(out), err))
    rc, out, err = run("clean", "--table", "pin", "-q", os.path.join(tmp, "scratch", "run1"))
    check(rc == 0 and out.count(b"\n") > 1, "the landing itself: exit %d, %r" % (rc, err))
    # A sink tree with no object of the table.
    rc, out, err = run("clean", "--table", "user", os.path.join(tmp, "scratch", "run1"))
    check(rc == 2 and out == b"" and "no S3 sink objects of table 'user'" in err
          and "such as 't.pin'" in err, "no user objects: exit %d, %r" % (rc, err))
finish()
