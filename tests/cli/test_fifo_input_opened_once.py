#!/usr/bin/python3
"""A FIFO given as input is opened once: the check that an input opens and the read share one
descriptor. (Opened twice, a writer that wrote in between died of SIGPIPE and pinetl blocked in
the second open forever: about 1 run in 15.) Many runs, each bounded by a timeout.

Usage: test_fifo_input_opened_once.py PINETL   (run from the project root; meson does)"""
import os
import subprocess
import tempfile

from cli_util import PINETL, SAMPLE, check, finish

RUNS = 60
src = os.path.join(SAMPLE, "geo.jsonl")
with open(src, "rb") as f:
    expected = sum(1 for line in f if line.strip())

with tempfile.TemporaryDirectory() as tmp:
    for i in range(RUNS):
        fifo = os.path.join(tmp, "f%d" % i)
        os.mkfifo(fifo)
        writer = subprocess.Popen(["sh", "-c", 'cat "$0" > "$1"', src, fifo])
        try:
            p = subprocess.run([PINETL, "clean", "--table", "geo", "-q", fifo],
                               capture_output=True, timeout=30)
        except subprocess.TimeoutExpired:
            check(False, "run %d: pinetl clean of a FIFO hung" % i)
            writer.kill()
            break
        finally:
            writer.wait(timeout=30)
        check(p.returncode == 0, "run %d: exit %d: %s" % (i, p.returncode, p.stderr[:200]))
        check(p.stdout.count(b"\n") == expected,
              "run %d: %d lines, expected %d" % (i, p.stdout.count(b"\n"), expected))
        check(writer.returncode == 0, "run %d: the writer died (status %d)" % (i, writer.returncode))
finish()
