#!/usr/bin/python3
"""Every write of every output is checked: a full device for the rejects file, the summary or
standard output ends the run with exit 1 and a message naming the output. (The rejects stream was
not checked: large writes bypass stdio's buffer, so fclose succeeded and the run said 0.)

Usage: test_write_failures_exit_1.py PINETL   (run from the project root; meson does)"""
import os
import subprocess

from cli_util import PINETL, SAMPLE, check, finish, run

pins = os.path.join(SAMPLE, "pin.jsonl")   # every pin is a reject as a geo record (no ind)

rc, _, err = run("clean", "--table", "geo", "-q", "--rejects", "/dev/full", pins)
check(rc == 1, "rejects to /dev/full: exit %d, expected 1" % rc)
check("/dev/full" in err and "rejects" in err, "rejects to /dev/full: message %r" % err)

rc, _, err = run("clean", "--table", "geo", "-q", "--summary-json", "/dev/full",
                 os.path.join(SAMPLE, "geo.jsonl"))
check(rc == 1, "summary to /dev/full: exit %d, expected 1" % rc)
check("/dev/full" in err and "summary" in err, "summary to /dev/full: message %r" % err)

with open("/dev/full", "wb") as full:
    for args in (["clean", "--table", "geo", "-q", os.path.join(SAMPLE, "geo.jsonl")],
                 ["insights", "--pin", pins, "--geo", os.path.join(SAMPLE, "geo.jsonl"),
                  "--user", os.path.join(SAMPLE, "user.jsonl")]):
        p = subprocess.run([PINETL, *args], stdout=full, stderr=subprocess.PIPE, timeout=120)
        err = p.stderr.decode()
        check(p.returncode == 1, "%s to a full stdout: exit %d" % (args[0], p.returncode))
        check("cannot write" in err, "%s to a full stdout: message %r" % (args[0], err[-200:]))
finish()
