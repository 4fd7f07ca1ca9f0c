"""Shared by the s3:// CLI tests (standard library only): the S3-compatible server of
scripts/s3_server.sh (s3s-fs) on a free loopback port with keys made now, a SigV4 client for
putting objects and making buckets, the sample uploaded as an S3-sink tree, and FakeS3, a small
S3 look-alike whose answers a test scripts (throttling, a GET cut mid-body, pages)."""
import datetime
import hashlib
import hmac
import http.client
import http.server
import os
import secrets
import shutil
import socket
import subprocess
import threading
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def s3s_binary():
    """The s3s-fs binary, built into the cache by scripts/s3_server.sh when missing."""
    out = subprocess.run(["bash", "-c", 'source "$1" && pinetl_s3_server_install', "-",
                          os.path.join(ROOT, "scripts", "s3_server.sh")],
                         capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1]


def quote_key(key):
    """A key as SigV4 and S3 want it in a path: '+' as %2B (S3 reads a bare '+' as a space)."""
    return urllib.parse.quote(key, safe="/~")


class S3Server:
    """s3s-fs serving folder `root` on 127.0.0.1; stop() and start() keep the port and keys."""

    def __init__(self, root):
        self.root = root
        self.port = free_port()
        self.key = "test" + secrets.token_hex(6)
        self.secret = secrets.token_hex(20)
        self.proc = None
        self.start()

    def start(self):
        os.makedirs(self.root, exist_ok=True)
        self.log = open(self.root + ".log", "ab")
        self.proc = subprocess.Popen(
            [s3s_binary(), "--host", "127.0.0.1", "--port", str(self.port), "--access-key",
             self.key, "--secret-key", self.secret, self.root], stdout=self.log, stderr=self.log)
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.05)
        raise RuntimeError("s3s-fs did not start on port %d" % self.port)

    def stop(self):
        if self.proc:
            self.proc.terminate()
            self.proc.wait(timeout=30)
            self.proc = None
            self.log.close()

    @property
    def endpoint(self):
        return "http://127.0.0.1:%d" % self.port

    def env(self, **more):
        """The environment for pinetl: this server's endpoint and keys, nothing of the user's."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(AWS_ACCESS_KEY_ID=self.key, AWS_SECRET_ACCESS_KEY=self.secret,
                   AWS_REGION="us-east-1", AWS_ENDPOINT_URL=self.endpoint,
                   AWS_SHARED_CREDENTIALS_FILE=os.devnull, AWS_CONFIG_FILE=os.devnull)
        env.update(more)
        return env

    def request(self, method, path, body=b"", query=""):
        """A SigV4-signed request (path already encoded); returns (status, body)."""
        now = datetime.datetime.now(datetime.timezone.utc)
        amz, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
        host = "127.0.0.1:%d" % self.port
        payload = hashlib.sha256(body).hexdigest()
        headers = {"host": host, "x-amz-content-sha256": payload, "x-amz-date": amz}
        names = sorted(headers)
        canon = "\n".join([method, path, query, "".join("%s:%s\n" % (k, headers[k]) for k in names),
                           ";".join(names), payload])
        scope = "%s/us-east-1/s3/aws4_request" % day
        to_sign = "\n".join(["AWS4-HMAC-SHA256", amz, scope,
                             hashlib.sha256(canon.encode()).hexdigest()])
        k = ("AWS4" + self.secret).encode()
        for part in (day, "us-east-1", "s3", "aws4_request"):
            k = hmac.new(k, part.encode(), hashlib.sha256).digest()
        sig = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
        headers["Authorization"] = ("AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, "
                                    "Signature=%s" % (self.key, scope, ";".join(names), sig))
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        c.request(method, path + ("?" + query if query else ""), body=body, headers=headers)
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, data

    def make_bucket(self, bucket):
        status, body = self.request("PUT", "/" + bucket)
        if status != 200:
            raise RuntimeError("cannot make bucket %s: %d %r" % (bucket, status, body))

    def put(self, bucket, key, data):
        status, body = self.request("PUT", "/%s/%s" % (bucket, quote_key(key)), data)
        if status != 200:
            raise RuntimeError("cannot put %s: %d %r" % (key, status, body))


def sink_tree(table, lines, parts=2, per_object=700, topic_prefix="p"):
    """The sample's lines of a table as S3-sink objects {key: bytes}: the records spread over
    `parts` partitions in order, per_object records an object, each named by its start offset."""
    topic = "%s.%s" % (topic_prefix, table)
    objects = {}
    chunk = (len(lines) + parts - 1) // parts
    for p in range(parts):
        mine = lines[p * chunk:(p + 1) * chunk]
        for start in range(0, len(mine), per_object):
            key = "topics/%s/partition=%d/%s+%d+%010d.json" % (topic, p, topic, p, start)
            objects[key] = b"".join(mine[start:start + per_object])
    return objects


def write_tree(folder, objects):
    for key, data in objects.items():
        path = os.path.join(folder, key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)


class FakeS3:
    """An S3 look-alike on loopback for what a real server cannot be made to do on cue. It
    serves `objects` ({key: bytes}) of any bucket, lists them `page` keys at a time with
    continuation tokens, and follows `plan`: a list of actions taken by the next requests in
    turn ("503": a SlowDown answer; "cut": a GET's headers and half its body, then the
    connection closed; "close": the connection closed at once), then normal answers. Requests
    are recorded (method, path, query, Range header). Signatures are not checked."""

    def __init__(self, objects, page=1000, plan=()):
        self.objects, self.page, self.plan = dict(objects), page, list(plan)
        self.requests = []
        self.lock = threading.Lock()
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                fake.answer(self)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def env(self, **more):
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(AWS_ACCESS_KEY_ID="fakekey", AWS_SECRET_ACCESS_KEY="fakesecret",
                   AWS_REGION="us-east-1", AWS_ENDPOINT_URL="http://127.0.0.1:%d" % self.port,
                   AWS_SHARED_CREDENTIALS_FILE=os.devnull, AWS_CONFIG_FILE=os.devnull)
        env.update(more)
        return env

    def answer(self, h):
        url = urllib.parse.urlsplit(h.path)
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        bucket, _, key = urllib.parse.unquote(url.path).lstrip("/").partition("/")
        with self.lock:
            self.requests.append((h.command, url.path, url.query, h.headers.get("Range")))
            action = self.plan.pop(0) if self.plan else None
        if action == "close":
            h.close_connection = True
            h.connection.shutdown(socket.SHUT_RDWR)
            return
        if action == "503":
            body = b"<Error><Code>SlowDown</Code><Message>Reduce your rate</Message></Error>"
            return self.send(h, 503, body)
        if not key and "list-type" in query:
            return self.list(h, query)
        if key not in self.objects:
            return self.send(h, 404, b"<Error><Code>NoSuchKey</Code></Error>")
        data, status, extra = self.objects[key], 200, {}
        rng = h.headers.get("Range")
        if rng:
            start = int(rng.split("=")[1].split("-")[0])
            extra["Content-Range"] = "bytes %d-%d/%d" % (start, len(data) - 1, len(data))
            data, status = data[start:], 206
        if action == "cut":
            h.send_response(status)
            h.send_header("Content-Length", str(len(data)))
            for k, v in extra.items():
                h.send_header(k, v)
            h.end_headers()
            h.wfile.write(data[:len(data) // 2])
            h.wfile.flush()
            h.close_connection = True
            h.connection.shutdown(socket.SHUT_RDWR)
            return
        self.send(h, status, data, extra)

    def list(self, h, query):
        prefix = query.get("prefix", [""])[0]
        token = query.get("continuation-token", [None])[0]
        keys = sorted(k for k in self.objects if k.startswith(prefix))
        start = int(token[3:-2]) if token else 0  # tokens look like "t+/<n>=="
        page = keys[start:start + self.page]
        more = start + self.page < len(keys)
        esc = lambda s: s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        body = "<?xml version=\"1.0\"?><ListBucketResult><IsTruncated>%s</IsTruncated>" % (
            "true" if more else "false")
        if more:
            body += "<NextContinuationToken>%s</NextContinuationToken>" % esc(
                "t+/%d==" % (start + self.page))
        body += "".join("<Contents><Key>%s</Key></Contents>" % esc(k) for k in page)
        self.send(h, 200, (body + "</ListBucketResult>").encode())

    @staticmethod
    def send(h, status, body, extra=None):
        h.send_response(status)
        h.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(body)
