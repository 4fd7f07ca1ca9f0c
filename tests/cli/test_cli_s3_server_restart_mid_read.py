#!/usr/bin/python3
"""A real S3-compatible server (s3s-fs) killed in the middle of a GET and started again: the
reader retries, resumes at the byte it had reached, and the output is the same bytes as the
local run. The object (about 40 MB: the sample's pins repeated) is far larger than every buffer
between the server and the reader (TCP, the socket, the reader's ring with one worker), and the
reader is held back by not draining its output until the server is back, so the kill lands
mid-object; the client's attempts (PINETL_S3_DEBUG) show a GET that broke and one resumed
with a Range (HTTP 206). A run that stops early (--strict) ends its fetch at once.

Usage: test_cli_s3_server_restart_mid_read.py PINETL   (run from the project root; meson does)"""
import os
import subprocess
import tempfile
import time

from cli_util import PINETL, SAMPLE, check, finish
from s3_util import S3Server

with tempfile.TemporaryDirectory() as tmp:
    with open(os.path.join(SAMPLE, "pin.jsonl"), "rb") as f:
        data = f.read() * 26
    path = os.path.join(tmp, "pins.json")
    with open(path, "wb") as f:
        f.write(data)
    want = subprocess.run([PINETL, "clean", "-t", "pin", "-q", "-T", "1", path],
                          capture_output=True, timeout=300).stdout
    server = S3Server(os.path.join(tmp, "s3"))
    try:
        server.make_bucket("big")
        server.put("big", "pins+all.json", data)
        p = subprocess.Popen([PINETL, "clean", "-t", "pin", "-q", "-T", "1",
                              "s3://big/pins+all.json"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, bufsize=0,
                             env=server.env(AWS_MAX_ATTEMPTS="20", PINETL_S3_DEBUG="1"))
        first = b""
        while len(first) < 1 << 20:  # the reader is running; then it waits on its output
            chunk = p.stdout.read((1 << 20) - len(first))  # unbuffered: communicate sees the rest
            if not chunk:
                break
            first += chunk
        time.sleep(1.0)
        server.proc.kill()  # mid-object: connections cut, no goodbye
        server.proc.wait()
        server.proc = None
        server.log.close()
        time.sleep(0.5)
        server.start()
        rest, err = p.communicate(timeout=300)
        got = first + rest
        gets = err.count(b"pinetl s3: GET 's3://big/pins+all.json' from byte ")
        resumed = b"curl 0, HTTP 206" in err
        check(p.returncode == 0 and got == want and len(want) > 30_000_000,
              "restart mid-read: exit %d, %d vs %d bytes, %r" % (
                  p.returncode, len(got), len(want), err[-300:]))
        check(gets >= 2 and resumed, "a failed GET, then a resumed one (206): %r" % err[-500:])
        # A run that stops early (--strict at a reject in the first line) ends the fetch of the
        # rest at once: exit 1 promptly, no hang waiting for 40 MB nobody reads.
        server.put("big", "bad+first.json", b"not json\n" + data)
        started = time.monotonic()
        p = subprocess.run([PINETL, "clean", "-t", "pin", "-q", "--strict", "-T", "1",
                            "s3://big/bad+first.json"], capture_output=True, timeout=120,
                           env=server.env())
        check(p.returncode == 1 and b"invalid JSON" in p.stderr and
              time.monotonic() - started < 60, "strict stop: exit %d in %.1f s, %r" % (
                  p.returncode, time.monotonic() - started, p.stderr[-300:]))
    finally:
        server.stop()
finish()
