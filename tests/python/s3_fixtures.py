"""An S3-compatible server for tests: s3s-fs (crates.io, installed by scripts/s3_server.sh) serving
a temporary folder on 127.0.0.1 with Signature Version 4 keys generated for the run.

Use from a test module (conftest.py imports the fixtures, so any test can ask for them):

    def test_x(s3_bucket):
        s3_bucket.uri("landing")          # 's3://<bucket>/landing'
        s3_bucket.client.list_objects_v2(Bucket=s3_bucket.name)

`s3_server` is session-scoped: one server for the whole run, stopped at the end; `stop()` and
`start()` bring it down and back on the same port (a server that goes away mid-read);
`folder_head_proxy()` puts a pass-through proxy in front of it (see FolderHeadProxy). `s3_bucket`
creates a fresh bucket for one test and exports the standard AWS environment for the code under
test (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION; AWS_SESSION_TOKEN
and AWS_PROFILE removed; AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE pointed at nothing), so
nothing of the machine's own AWS set-up reaches the test server, and subprocesses inherit it."""
import http.client
import http.server
import itertools
import os
import pathlib
import secrets
import socket
import subprocess
import threading
import time
import urllib.parse

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SERVER_SH = ROOT / "scripts" / "s3_server.sh"
REGION = "us-east-1"


def install_server():
    """The s3s-fs binary's path (scripts/s3_server.sh builds it into the cache when missing)."""
    proc = subprocess.run(["bash", "-c", f'source "{SERVER_SH}" && pinetl_s3_server_install'],
                          capture_output=True, text=True)
    if proc.returncode != 0 or not proc.stdout.strip():
        pytest.fail(f"s3_server.sh could not install s3s-fs: {proc.stderr[-3000:]}")
    return proc.stdout.strip().splitlines()[-1]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class S3Server:
    """A running s3s-fs: `endpoint` (http://127.0.0.1:PORT), `access_key`, `secret_key` (made
    for this run) and `root` (the folder it serves: a bucket is a folder in it)."""

    _buckets = itertools.count(1)

    def __init__(self, binary, root):
        self.binary = binary
        self.root = pathlib.Path(root)
        self.port = _free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.access_key = "test" + secrets.token_hex(6)
        self.secret_key = secrets.token_hex(20)
        self.proc = None
        self.log = self.root.parent / "s3s-fs.log"

    def start(self, timeout=20.0):
        """Starts the server (again, on the same port) and waits until it answers."""
        if self.proc is not None and self.proc.poll() is None:
            return
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [self.binary, "--host", "127.0.0.1", "--port", str(self.port),
                 "--access-key", self.access_key, "--secret-key", self.secret_key,
                 str(self.root)], stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        pytest.fail(f"s3s-fs did not answer on {self.endpoint}: "
                    f"{self.log.read_text(errors='replace')[-2000:]}")

    def stop(self):
        """Stops the server (its folder stays) and waits for it to exit."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def env(self):
        """The standard AWS environment variables that point a client at this server."""
        return {"AWS_ENDPOINT_URL": self.endpoint, "AWS_ACCESS_KEY_ID": self.access_key,
                "AWS_SECRET_ACCESS_KEY": self.secret_key, "AWS_REGION": REGION}

    def client(self, **overrides):
        """A boto3 S3 client for this server (path-style addressing); overrides replace the
        keyword arguments (aws_secret_access_key=... for a wrong key)."""
        import boto3
        from botocore.config import Config
        kwargs = dict(endpoint_url=self.endpoint, aws_access_key_id=self.access_key,
                      aws_secret_access_key=self.secret_key, region_name=REGION,
                      config=Config(s3={"addressing_style": "path"},
                                    retries={"max_attempts": 2, "mode": "standard"}))
        kwargs.update(overrides)
        return boto3.session.Session().client("s3", **kwargs)

    def folder_head_proxy(self):
        """A FolderHeadProxy in front of this server (close() it after use)."""
        return FolderHeadProxy(self)

    def create_bucket(self, prefix="b"):
        """Creates a bucket no other test of this run uses; returns its name."""
        name = f"{prefix}{os.getpid()}-{next(self._buckets)}"
        self.client().create_bucket(Bucket=name)
        return name


class FolderHeadProxy:
    """A loopback pass-through proxy in front of s3s-fs for clients that probe folders with HEAD
    (Hadoop's S3A: `getFileStatus` on `.../_delta_log`). s3s-fs 0.14.1 keeps objects as files, and
    a HEAD on a key that is a folder of its storage answers 500 InternalError where S3 answers
    404 (S3 has no folders); S3A then fails instead of probing on. The proxy forwards every
    request byte for byte (its Host header included, so Signature Version 4 still verifies) and
    turns only that answer into 404. `endpoint` is its http://127.0.0.1:PORT."""

    def __init__(self, server):
        target = server

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _forward(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                conn = http.client.HTTPConnection("127.0.0.1", target.port, timeout=60)
                try:
                    conn.putrequest(self.command, self.path, skip_host=True,
                                    skip_accept_encoding=True)
                    for name, value in self.headers.items():
                        conn.putheader(name, value)
                    conn.endheaders(body or None)
                    resp = conn.getresponse()
                    data = resp.read()
                    status, headers = resp.status, resp.getheaders()
                finally:
                    conn.close()
                if self.command == "HEAD" and status == 500 and self._is_folder():
                    status, headers, data = 404, [], b""
                self.send_response(status)
                for name, value in headers:
                    if name.lower() not in ("transfer-encoding", "content-length", "connection",
                                            "date", "server"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data) if self.command != "HEAD" else
                                                       dict((k.lower(), v) for k, v in headers)
                                                       .get("content-length", 0)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            def _is_folder(self):
                key = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path).lstrip("/")
                return (target.root / key).is_dir()

            do_GET = do_HEAD = do_PUT = do_POST = do_DELETE = _forward

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.endpoint = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class S3Bucket:
    """One test's bucket on the server: `name`, `client` (boto3), `server`."""

    def __init__(self, server, name):
        self.server = server
        self.name = name
        self.client = server.client()

    def uri(self, *parts):
        """s3://<bucket>[/part/...]"""
        return "/".join([f"s3://{self.name}", *(p.strip("/") for p in parts if p)])

    def keys(self, prefix=""):
        """Every key under prefix, as the server lists them (boto3, paginated)."""
        out = []
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name,
                                                                          Prefix=prefix):
            out += [o["Key"] for o in page.get("Contents", ())]
        return out


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """The run's s3s-fs on 127.0.0.1 (a free port, keys generated now)."""
    server = S3Server(install_server(), tmp_path_factory.mktemp("s3") / "root")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def s3_bucket(s3_server, monkeypatch, tmp_path_factory):
    """A fresh bucket, with the standard AWS environment pointing at the server."""
    s3_server.start()              # a test may have stopped it
    for name in ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
                 "AWS_ENDPOINT_URL_S3", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    nothing = tmp_path_factory.mktemp("aws") / "none"
    monkeypatch.setenv("AWS_CONFIG_FILE", str(nothing))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(nothing))
    for name, value in s3_server.env().items():
        monkeypatch.setenv(name, value)
    return S3Bucket(s3_server, s3_server.create_bucket())
