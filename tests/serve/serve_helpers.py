"""Shared by the pinetl serve tests: start and stop a real server (loopback, a free port picked by
the server itself), HTTP requests with the standard library's http.client, a reader for the
landing folder (S3 sink files and stream logs), and a tiny test runner.

The tests are plain functions named test_*; run_tests() runs those of the calling module, prints
one line per test and exits 1 if any failed."""
import base64
import glob
import http.client
import json
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback

PINETL = os.path.abspath(os.environ.get("PINETL") or sys.argv[1])
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REST_JSON = "application/vnd.kafka.json.v2+json"
REST_BINARY = "application/vnd.kafka.binary.v2+json"


_SERVERS = []   # every server started, so that a failing test leaves none running


class Server:
    """pinetl serve on 127.0.0.1, port 0; .port is read from its first stdout line."""

    def __init__(self, landing, *args, prefix="t", preexec_fn=None):
        self.landing = landing
        cmd = [PINETL, "serve", "--listen", "127.0.0.1:0", "--landing", landing]
        if "--config" not in args:
            cmd += ["--prefix", prefix]
        self.proc = subprocess.Popen(cmd + list(args), stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, preexec_fn=preexec_fn)
        _SERVERS.append(self.proc)
        ready, _, _ = select.select([self.proc.stdout], [], [], 20)
        line = self.proc.stdout.readline().decode() if ready else ""
        if not line.startswith("pinetl serve: listening on http://127.0.0.1:"):
            self.proc.kill()
            err = self.proc.stderr.read().decode()
            raise AssertionError(f"server did not start: {line!r} {err}")
        self.port = int(line.rsplit(":", 1)[1])

    def stop(self, sig=signal.SIGTERM, timeout=60):
        """Signals the server, waits; returns (exit status, stderr text)."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("server did not stop within %ss" % timeout)
        err = self.proc.stderr.read().decode()
        self.proc.stdout.close()
        self.proc.stderr.close()
        return self.proc.returncode, err

    def stop_ok(self):
        """stop(), which must exit 0; the failure names the exit status and the server's stderr."""
        rc, err = self.stop()
        assert rc == 0, f"pinetl serve exited {rc}: {err}"

    def kill9(self):
        self.proc.kill()
        self.proc.wait()
        err = self.proc.stderr.read().decode()
        self.proc.stdout.close()
        self.proc.stderr.close()
        return err

    def peak_rss(self):
        """(peak resident set in kB, whether the server runs under AddressSanitizer, whose
        shadow memory and quarantine of freed blocks are not the server's own)."""
        with open(f"/proc/{self.proc.pid}/status") as f:
            hwm_kb = int([l for l in f if l.startswith("VmHWM")][0].split()[1])
        with open(f"/proc/{self.proc.pid}/maps") as f:
            return hwm_kb, "libasan" in f.read()

    def conn(self, timeout=30):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(self, method, path, body=None, content_type=None, conn=None, headers=None):
        """(status, headers dict (lower-case names), parsed JSON body or raw bytes)."""
        own = conn is None
        c = conn or self.conn()
        h = dict(headers or {})
        if content_type:
            h["Content-Type"] = content_type
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        hdrs = {k.lower(): v for k, v in r.getheaders()}
        if own:
            c.close()
        try:
            return r.status, hdrs, json.loads(data)
        except ValueError:
            return r.status, hdrs, data

    def produce(self, topic, values, binary=False, conn=None):
        if binary:
            recs = [{"value": base64.b64encode(json.dumps(v).encode()).decode()} for v in values]
        else:
            recs = [{"value": v} for v in values]
        return self.request("POST", f"/topics/{topic}", {"records": recs},
                            REST_BINARY if binary else REST_JSON, conn=conn)

    def put_records(self, stream, values, base64_data=False, conn=None):
        recs = [{"Data": base64.b64encode(json.dumps(v).encode()).decode() if base64_data else v,
                 "PartitionKey": f"k{i}"} for i, v in enumerate(values)]
        return self.request("PUT", f"/streams/{stream}/records",
                            {"StreamName": stream, "Records": recs}, "application/json",
                            conn=conn)

    def put_record(self, stream, value, base64_data=False, conn=None):
        data = base64.b64encode(json.dumps(value).encode()).decode() if base64_data else value
        return self.request("PUT", f"/streams/{stream}/record",
                            {"StreamName": stream, "Data": data, "PartitionKey": "pk"},
                            "application/json", conn=conn)


def concurrently(fn, n):
    """Runs fn(0) .. fn(n - 1) on n threads at once; returns when all are done."""
    threads = [threading.Thread(target=fn, args=(k,)) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def raw_request(port, data, timeout=10):
    """Sends bytes, returns the whole reply (until the server closes)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    sock.sendall(data)
    out = b""
    try:
        while True:
            k = sock.recv(65536)
            if not k:
                break
            out += k
    except (ConnectionResetError, socket.timeout):
        pass
    sock.close()
    return out


def topic_records(landing, topic, partition=0):
    """[(offset, line bytes)] of a topic partition's rolled files, in offset order; checks that
    the files' start offsets chain without gaps."""
    d = os.path.join(landing, "topics", topic, f"partition={partition}")
    files = []
    for p in glob.glob(os.path.join(d, f"{topic}+{partition}+*.json")):
        start = int(os.path.basename(p)[len(f"{topic}+{partition}+"):-len(".json")])
        files.append((start, p))
    files.sort()
    out = []
    for start, p in files:
        assert start == len(out), f"{p}: starts at {start}, expected {len(out)}"
        with open(p, "rb") as f:
            data = f.read()
        assert data == b"" or data.endswith(b"\n"), f"{p}: no final newline"
        for line in data.splitlines():
            out.append((len(out), line))
    return out


def stream_records(landing, stream):
    """[(seq, key bytes, payload bytes)] of a stream log, read per the framing in
    <pinetl/streamlog.h>; identity frames (sequence number 0) are left out; stops at the first
    incomplete frame."""
    path = os.path.join(landing, "streams", stream, "shardId-000000000000.log")
    with open(path, "rb") as f:
        data = f.read()
    out, pos = [], 0
    while pos + 32 <= len(data):
        magic, plen, seq, _arrival, klen, _res, _crc = struct.unpack_from("<IIQqHHI", data, pos)
        assert magic == 0x314C5350, f"bad magic at {pos}"
        end = pos + 32 + klen + plen
        if end > len(data):
            break
        if seq:
            out.append((seq, data[pos + 32:pos + 32 + klen], data[pos + 32 + klen:end]))
        pos = end
    return out


_TEMPDIRS = []


def tempdir():
    """A fresh folder, removed when the tests end (kept, and named, when one failed)."""
    d = tempfile.mkdtemp(prefix="pinetl-serve-test-")
    _TEMPDIRS.append(d)
    return d


def run_tests(module_globals):
    names = [n for n in module_globals if n.startswith("test_") and callable(module_globals[n])]
    only = os.environ.get("SERVE_TEST_ONLY")
    failed = 0
    for n in names:
        if only and only not in n:
            continue
        t0 = time.time()
        try:
            module_globals[n]()
            print(f"ok   {n} ({time.time() - t0:.1f}s)", flush=True)
        except Exception:
            failed += 1
            print(f"FAIL {n}", flush=True)
            traceback.print_exc()
        finally:
            for proc in _SERVERS:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
            _SERVERS.clear()
    if failed:
        print("kept for inspection: " + " ".join(_TEMPDIRS), file=sys.stderr)
    else:
        for d in _TEMPDIRS:
            shutil.rmtree(d, ignore_errors=True)
    sys.exit(1 if failed else 0)
