"""pinetl serve in the open (issue 21 items 1 and 2; docs/security.md): secure by default, TLS,
and authentication as the real endpoints do it.

Every test makes its own CA and server certificate with `openssl` and its own credentials file
with random secrets, starts `pinetl serve` on loopback (127.0.0.2 stands for a public address
through PINETL_SERVE_TEST_PUBLIC_ADDRESS, the testing hook) and connects with certificate
verification on: `requests`, `curl`, the emulator (--ca-file, --basic-auth, --api-key), and
botocore's own SigV4 signer (botocore.auth.SigV4Auth) for the signed requests."""
import datetime
import json
import os
import re
import secrets
import select
import signal
import socket
import ssl
import subprocess
import sys
import time

import pytest
import requests

from conftest import _cli_path

pytestmark = pytest.mark.service  # starts pinetl serve

REST_JSON = "application/vnd.kafka.json.v2+json"
PUBLIC = "127.0.0.2"  # counts as non-loopback for the server under test


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    """A CA and two server certificates it signed (for 127.0.0.1 and 127.0.0.2), and a second
    CA nobody trusts."""
    d = tmp_path_factory.mktemp("pki")
    for ca in ("ca", "other-ca"):
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{ca}.key",
                "-out", f"{ca}.pem", "-days", "2", "-subj", f"/CN=pinetl test {ca}", cwd=d)
    (d / "san.ext").write_text(f"subjectAltName=IP:127.0.0.1,IP:{PUBLIC}\n")
    for name, ca in (("server", "ca"), ("server2", "ca"), ("rogue", "other-ca")):
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out",
                f"{name}.csr", "-subj", f"/CN={name}", cwd=d)
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key",
                "-CAcreateserial", "-out", f"{name}.pem", "-days", "2", "-extfile", "san.ext",
                cwd=d)
    return d


def write_credentials(path, doc, mode=0o600):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w") as f:
        json.dump(doc, f)
    os.chmod(path, mode)
    return path


@pytest.fixture
def creds(tmp_path):
    """Random secrets, generated here; which credential may write and read what."""
    c = {"key": "k-" + secrets.token_hex(16), "key_ro": "k-" + secrets.token_hex(16),
         "user": "alice", "password": secrets.token_urlsafe(12), "bob_password": "b-" +
         secrets.token_hex(8), "akid": "AKID" + secrets.token_hex(8).upper(),
         "secret": secrets.token_urlsafe(30)}
    c["path"] = write_credentials(tmp_path / "credentials.json", {
        "api_keys": [{"name": "producer", "key": c["key"], "write": ["streaming-t-*"],
                      "read": ["*"]},
                     {"name": "reader", "key": c["key_ro"], "write": [], "read": ["*"]}],
        "users": [{"user": "alice", "password": c["password"], "write": ["t.pin", "t.geo"],
                   "read": ["t.pin"]},
                  {"user": "bob", "password": c["bob_password"], "write": [], "read": []}],
        "aws": [{"name": "sdk", "access_key_id": c["akid"], "secret_access_key": c["secret"],
                 "write": ["streaming-t-pin"], "read": ["*"]}]})
    return c


class Serve:
    """pinetl serve with extra arguments; .url from its first line; .stop() -> (rc, stderr)."""

    def __init__(self, tmp_path, *args, host="127.0.0.1", env=None):
        cli = _cli_path()
        assert cli is not None, "the pinetl CLI was not found (PINETL_CLI or a build)"
        landing = tmp_path / "landing"
        landing.mkdir(exist_ok=True)
        self.errpath = tmp_path / f"serve-{time.monotonic_ns()}.err"
        self.err = open(self.errpath, "wb")
        self.proc = subprocess.Popen(
            [str(cli), "serve", "--listen", f"{host}:0", "--landing", str(landing), "--prefix",
             "t", *map(str, args)], stdout=subprocess.PIPE, stderr=self.err,
            env={**os.environ, **(env or {})})
        ready, _, _ = select.select([self.proc.stdout], [], [], 30)
        line = self.proc.stdout.readline().decode() if ready else ""
        m = re.search(r"listening on (https?)://([0-9.]+):(\d+)", line)
        if not m:
            rc, err = self.stop()
            raise AssertionError(f"pinetl serve did not start (exit {rc}): {line!r} {err}")
        self.url = f"{m.group(1)}://{m.group(2)}:{m.group(3)}"
        self.port = int(m.group(3))

    def stderr(self):
        return self.errpath.read_text(errors="replace")

    def stop(self):
        """SIGTERM; a server that does not stop within 60 s is killed and fails the test."""
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            self.proc.wait(60)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            self.proc.stdout.close()
            self.err.close()
        return self.proc.returncode, self.stderr()


def refused_start(tmp_path, *args, host=PUBLIC, env=None):
    """Runs pinetl serve that must refuse to start: (exit status, stderr)."""
    landing = tmp_path / "landing"
    landing.mkdir(exist_ok=True)
    proc = subprocess.run([str(_cli_path()), "serve", "--listen", f"{host}:0", "--landing",
                           str(landing), "--prefix", "t", *map(str, args)], capture_output=True,
                          text=True, timeout=30,
                          env={**os.environ, "PINETL_SERVE_TEST_PUBLIC_ADDRESS": PUBLIC,
                               **(env or {})})
    assert proc.stdout == "", proc.stdout
    return proc.returncode, proc.stderr


@pytest.fixture
def secured(tmp_path, pki, creds):
    srv = Serve(tmp_path, "--tls-cert", pki / "server.pem", "--tls-key", pki / "server.key",
                "--credentials", creds["path"], host=PUBLIC,
                env={"PINETL_SERVE_TEST_PUBLIC_ADDRESS": PUBLIC})
    yield srv
    rc, err = srv.stop()
    assert rc == 0, err
    for k in ("key", "key_ro", "password", "bob_password", "secret"):
        assert creds[k] not in err, "a secret reached the server's log"


# ---- 1. secure by default ----

def test_public_address_refused_without_tls_and_credentials(tmp_path, pki, creds):
    tls = ["--tls-cert", pki / "server.pem", "--tls-key", pki / "server.key"]
    rc, err = refused_start(tmp_path)
    assert rc == 2 and "refusing to listen on 127.0.0.2 without TLS" in err, err
    assert "credentials" in err and "--insecure-no-tls-no-auth" in err, err
    rc, err = refused_start(tmp_path, *tls)
    assert rc == 2 and "without credentials (--credentials)" in err, err
    rc, err = refused_start(tmp_path, "--credentials", creds["path"])
    assert rc == 2 and "without TLS (--tls-cert, --tls-key)" in err, err


def test_public_address_insecure_opt_out_warns(tmp_path):
    srv = Serve(tmp_path, "--insecure-no-tls-no-auth", host=PUBLIC,
                env={"PINETL_SERVE_TEST_PUBLIC_ADDRESS": PUBLIC})
    try:
        assert requests.get(f"{srv.url}/topics", timeout=10).json() == ["t.pin", "t.geo",
                                                                       "t.user"]
    finally:
        rc, err = srv.stop()
    assert rc == 0
    assert "WARNING: --insecure-no-tls-no-auth: listening on 127.0.0.2 without TLS" in err, err


def test_loopback_needs_nothing(tmp_path):
    # The testing hook names another address: 127.0.0.1 stays loopback and starts bare.
    srv = Serve(tmp_path, env={"PINETL_SERVE_TEST_PUBLIC_ADDRESS": PUBLIC})
    try:
        assert srv.url.startswith("http://127.0.0.1:")
        assert requests.get(f"{srv.url}/topics", timeout=10).status_code == 200
    finally:
        rc, err = srv.stop()
    assert rc == 0 and "WARNING" not in err, err


def test_credentials_file_readable_by_others_refused(tmp_path, creds):
    for mode in (0o644, 0o640, 0o602):
        os.chmod(creds["path"], mode)
        rc, err = refused_start(tmp_path, "--credentials", creds["path"], host="127.0.0.1")
        assert rc == 2, err
        assert "may be read or written by group or others" in err and "chmod 600" in err, err
        for k in ("key", "password", "secret"):
            assert creds[k] not in err


def test_credentials_file_errors_name_the_place_not_the_secret(tmp_path, creds):
    bad = write_credentials(tmp_path / "bad.json", {"api_keys": [
        {"key": creds["key"], "wrtie": ["*"]}]})
    rc, err = refused_start(tmp_path, "--credentials", bad, host="127.0.0.1")
    assert rc == 2 and "api_keys[0]: unknown member 'wrtie'" in err, err
    assert creds["key"] not in err


def test_tls_key_must_match_certificate(tmp_path, pki):
    rc, err = refused_start(tmp_path, "--tls-cert", pki / "server.pem", "--tls-key",
                            pki / "server2.key", host="127.0.0.1")
    assert rc == 2 and "is not the key of certificate" in err, err


# ---- TLS with verification on ----

def test_tls_verified_by_requests_and_curl(secured, pki, creds):
    url = f"{secured.url}/topics/t.pin"
    assert secured.url.startswith("https://127.0.0.2:")
    r = requests.get(url, auth=("alice", creds["password"]), verify=str(pki / "ca.pem"),
                     timeout=10)
    assert r.status_code == 200 and r.json()["name"] == "t.pin"
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(url, verify=str(pki / "other-ca.pem"), timeout=10)
    body = json.dumps({"records": [{"value": {"n": 1}}]})
    out = subprocess.run(["curl", "-sS", "--fail-with-body", "--cacert", str(pki / "ca.pem"),
                          "-u", f"alice:{creds['password']}", "-H", f"Content-Type: {REST_JSON}",
                          "--data-binary", body, url], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["offsets"][0]["offset"] == 0
    out = subprocess.run(["curl", "-sS", "--cacert", str(pki / "other-ca.pem"), url],
                         capture_output=True, text=True)
    assert out.returncode == 60, (out.returncode, out.stderr)  # peer certificate not verified


def test_plain_http_to_a_tls_port_gets_no_reply(secured):
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(secured.url.replace("https://", "http://") + "/topics", timeout=10)


def peer_certificate(port, ca):
    ctx = ssl.create_default_context(cafile=str(ca))
    with socket.create_connection((PUBLIC, port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname=PUBLIC) as tls:
            return tls.getpeercert(binary_form=True)


def pem_der(path):
    return ssl.PEM_cert_to_DER_cert(path.read_text())


def test_sighup_reloads_certificate(tmp_path, pki, creds):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.write_bytes((pki / "server.pem").read_bytes())
    key.write_bytes((pki / "server.key").read_bytes())
    srv = Serve(tmp_path, "--tls-cert", cert, "--tls-key", key, "--credentials", creds["path"],
                host=PUBLIC, env={"PINETL_SERVE_TEST_PUBLIC_ADDRESS": PUBLIC})
    try:
        session = requests.Session()  # a connection open across the reload keeps working
        session.auth = ("alice", creds["password"])
        ca = str(pki / "ca.pem")  # per request: $REQUESTS_CA_BUNDLE would override a session's
        assert session.get(f"{srv.url}/topics", verify=ca, timeout=10).status_code == 200
        assert peer_certificate(srv.port, pki / "ca.pem") == pem_der(pki / "server.pem")
        cert.write_bytes((pki / "server2.pem").read_bytes())
        key.write_bytes((pki / "server2.key").read_bytes())
        srv.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 20
        while "SIGHUP: reloaded" not in srv.stderr() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert peer_certificate(srv.port, pki / "ca.pem") == pem_der(pki / "server2.pem")
        assert session.get(f"{srv.url}/topics", verify=ca, timeout=10).status_code == 200
        # A broken pair is refused and the one in use stays.
        key.write_bytes((pki / "server.key").read_bytes())  # not server2's key
        srv.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 20
        while "what was in use stays" not in srv.stderr() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "is not the key of certificate" in srv.stderr()
        assert peer_certificate(srv.port, pki / "ca.pem") == pem_der(pki / "server2.pem")
    finally:
        rc, err = srv.stop()
    assert rc == 0, err


# ---- 2. authentication and permissions, each endpoint's own refusals ----

def test_kafka_rest_basic_auth_refusals(secured, pki, creds):
    ca = str(pki / "ca.pem")
    url = f"{secured.url}/topics/t.pin"
    body = json.dumps({"records": [{"value": {"n": 1}}]})
    hdr = {"Content-Type": REST_JSON}
    for auth in (None, ("alice", "wrong"), ("mallory", creds["password"])):
        r = requests.post(url, data=body, headers=hdr, auth=auth, verify=ca, timeout=10)
        assert r.status_code == 401, r.text
        assert r.json() == {"error_code": 40101, "message": "Authentication failed"}
        assert r.headers["WWW-Authenticate"].startswith("Basic ")
    # An API key or a SigV4 header is not how a REST Proxy authenticates.
    r = requests.get(f"{secured.url}/topics", headers={"x-api-key": creds["key"]}, verify=ca,
                     timeout=10)
    assert r.status_code == 401 and r.json()["error_code"] == 40101
    # Authenticated, not authorised: 403/40301, for writes and for reads.
    r = requests.post(f"{secured.url}/topics/t.user", data=body, headers=hdr,
                      auth=("alice", creds["password"]), verify=ca, timeout=10)
    assert r.status_code == 403
    assert r.json() == {"error_code": 40301, "message": "Not authorized to access topics: "
                                                        "[t.user]"}
    r = requests.get(f"{secured.url}/topics/t.geo", auth=("alice", creds["password"]),
                     verify=ca, timeout=10)
    assert r.status_code == 403 and r.json()["error_code"] == 40301
    r = requests.post(url, data=body, headers=hdr, auth=("bob", creds["bob_password"]),
                      verify=ca, timeout=10)
    assert r.status_code == 403 and r.json()["error_code"] == 40301
    # Refused before anything else is said: an unknown topic is 401 to a stranger.
    r = requests.get(f"{secured.url}/topics/nowhere", verify=ca, timeout=10)
    assert r.status_code == 401
    # Allowed.
    r = requests.post(url, data=body, headers=hdr, auth=("alice", creds["password"]),
                      verify=ca, timeout=10)
    assert r.status_code == 200 and r.json()["offsets"][0]["error_code"] is None
    r = requests.get(f"{secured.url}/topics", auth=("alice", creds["password"]), verify=ca,
                     timeout=10)
    assert r.status_code == 200 and "t.pin" in r.json()


def put_record(n=1):
    return json.dumps({"Data": {"n": n}, "PartitionKey": "p"})


def test_api_gateway_api_key_refusals(secured, pki, creds):
    ca = str(pki / "ca.pem")
    url = f"{secured.url}/streams/streaming-t-pin/record"
    for headers in ({}, {"x-api-key": "k-wrong"}, {"x-api-key": ""}):
        r = requests.put(url, data=put_record(), headers=headers, verify=ca, timeout=10)
        assert r.status_code == 403, r.text
        assert r.json() == {"message": "Forbidden"}
        assert r.headers["x-amzn-ErrorType"] == "ForbiddenException"
    r = requests.get(f"{secured.url}/streams", verify=ca, timeout=10)
    assert r.status_code == 403 and r.json() == {"message": "Forbidden"}
    # Basic is not how API Gateway authenticates.
    r = requests.put(url, data=put_record(), auth=("alice", creds["password"]), verify=ca,
                     timeout=10)
    assert r.status_code == 403 and r.json() == {"message": "Forbidden"}
    # The read-only key may describe, not put.
    ro = {"x-api-key": creds["key_ro"]}
    r = requests.put(url, data=put_record(), headers=ro, verify=ca, timeout=10)
    assert r.status_code == 403
    assert r.json() == {"message": "User: reader is not authorized to perform: "
                                   "execute-api:Invoke on resource: PUT "
                                   "/streams/streaming-t-pin/record"}
    assert r.headers["x-amzn-ErrorType"] == "AccessDeniedException"
    r = requests.get(f"{secured.url}/streams/streaming-t-pin", headers=ro, verify=ca, timeout=10)
    assert r.status_code == 200 and r.json()["StreamDescription"]["StreamName"] == \
        "streaming-t-pin"
    ok = {"x-api-key": creds["key"]}
    r = requests.put(url, data=put_record(), headers=ok, verify=ca, timeout=10)
    assert r.status_code == 200 and r.json()["ShardId"] == "shardId-000000000000"


# ---- SigV4, signed by botocore ----

def signed(method, url, body, akid, secret, service="execute-api", region="us-east-1",
           now=None):
    """A requests.PreparedRequest signed by botocore's SigV4Auth (at `now`, a datetime)."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    req = AWSRequest(method=method, url=url, data=body,
                     headers={"Content-Type": "application/json"})
    signer = SigV4Auth(Credentials(akid, secret), service, region)
    if now is None:
        signer.add_auth(req)
    else:  # botocore's own clock, stopped at `now`
        from unittest import mock
        with mock.patch("botocore.auth.get_current_datetime", lambda: now):
            signer.add_auth(req)
    return req.prepare()


def send(prepared, ca):
    """Sends botocore's prepared request (method, URL, headers, body as signed) with requests."""
    return requests.request(prepared.method, prepared.url, headers=dict(prepared.headers),
                            data=prepared.body, verify=ca, timeout=10)


def test_sigv4_botocore_signed_requests(secured, pki, creds):
    ca = str(pki / "ca.pem")
    akid, secret = creds["akid"], creds["secret"]
    base = f"{secured.url}/streams/streaming-t-pin"
    # Signed by botocore: PutRecord, PutRecords, a query string, a read.
    r = send(signed("PUT", f"{base}/record", put_record(1), akid, secret), ca)
    assert r.status_code == 200, r.text
    many = json.dumps({"Records": [{"Data": {"n": i}, "PartitionKey": "p"} for i in range(3)]})
    r = send(signed("PUT", f"{base}/records?trace=a%20b&x=1", many, akid, secret), ca)
    assert r.status_code == 200 and r.json()["FailedRecordCount"] == 0, r.text
    r = send(signed("GET", base, None, akid, secret), ca)
    assert r.status_code == 200, r.text
    # Wrong secret.
    r = send(signed("PUT", f"{base}/record", put_record(), akid, secret + "x"), ca)
    assert r.status_code == 403
    assert r.json()["message"].startswith("The request signature we calculated does not match")
    assert r.headers["x-amzn-ErrorType"] == "InvalidSignatureException"
    # Unknown access key id.
    r = send(signed("PUT", f"{base}/record", put_record(), "AKIDUNKNOWN", secret), ca)
    assert r.status_code == 403
    assert r.json() == {"message": "The security token included in the request is invalid."}
    # Signed 6 minutes ago, and 6 minutes ahead: outside AWS's 5 minutes.
    now = datetime.datetime.now(datetime.timezone.utc)
    for shift, words in ((-6, "Signature expired: "), (6, "Signature not yet current: ")):
        r = send(signed("PUT", f"{base}/record", put_record(), akid, secret,
                        now=now + datetime.timedelta(minutes=shift)), ca)
        assert r.status_code == 403, r.text
        msg = r.json()["message"]
        assert msg.startswith(words) and "5 min." in msg, msg
    # 4 minutes is inside the window.
    r = send(signed("PUT", f"{base}/record", put_record(), akid, secret,
                    now=now - datetime.timedelta(minutes=4)), ca)
    assert r.status_code == 200, r.text
    # Tampered body, path and header after signing.
    p = signed("PUT", f"{base}/record", put_record(1), akid, secret)
    p.body = put_record(2).encode()
    r = send(p, ca)
    assert r.status_code == 403 and "does not match" in r.json()["message"]
    p = signed("PUT", f"{base}/record", put_record(1), akid, secret)
    p.url = p.url.replace("/record", "/records")
    r = send(p, ca)
    assert r.status_code == 403 and "does not match" in r.json()["message"]
    p = signed("PUT", f"{base}/record", put_record(1), akid, secret)
    p.headers["X-Amz-Date"] = (now - datetime.timedelta(seconds=1)).strftime("%Y%m%dT%H%M%SZ")
    r = send(p, ca)
    assert r.status_code == 403 and "does not match" in r.json()["message"]
    # A payload hash claimed in X-Amz-Content-SHA256 (which botocore then signs instead of the
    # body's) does not stand for the body: the server hashes what it received.
    import hashlib
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    req = AWSRequest(method="PUT", url=f"{base}/record", data=put_record(2),
                     headers={"Content-Type": "application/json", "X-Amz-Content-SHA256":
                              hashlib.sha256(put_record(1).encode()).hexdigest()})
    SigV4Auth(Credentials(akid, secret), "execute-api", "us-east-1").add_auth(req)
    r = send(req.prepare(), ca)
    assert r.status_code == 403 and "does not match" in r.json()["message"]
    # Signed correctly but not permitted: streaming-t-geo is not in its write list.
    r = send(signed("PUT", f"{secured.url}/streams/streaming-t-geo/record", put_record(), akid,
                    secret), ca)
    assert r.status_code == 403
    assert r.json()["message"].startswith("User: sdk is not authorized to perform")
    assert r.headers["x-amzn-ErrorType"] == "AccessDeniedException"
    # Malformed Authorization.
    r = requests.put(f"{base}/record", data=put_record(), verify=ca, timeout=10,
                     headers={"Authorization": f"AWS4-HMAC-SHA256 Credential={akid}/x"})
    assert r.status_code == 403 and "requires 'SignedHeaders'" in r.json()["message"]


def test_emulator_over_verified_tls_with_credentials(secured, pki, creds, tmp_path):
    from pinetl_pipeline import source
    db = tmp_path / "source.db"
    source.build(db)
    env = {**os.environ, "PINETL_EMULATE_BASIC_AUTH": f"alice:{creds['password']}",
           "PINETL_EMULATE_API_KEY": creds["key"]}
    base = [sys.executable, "-m", "pinetl_pipeline.emulate", "--progress", "never", "--source",
            str(db), "--url", secured.url, "--ca-file", str(pki / "ca.pem"), "--prefix", "t",
            "--count", "20", "--concurrency", "2"]
    # alice may write t.pin and t.geo, not t.user: the user rows are refused with 40301.
    out = subprocess.run(base + ["--mode", "batch", "--summary-json", str(tmp_path / "b.json")],
                         env=env, capture_output=True, text=True)
    summary = json.loads((tmp_path / "b.json").read_text())
    assert summary["acknowledged"] == 40 and summary["failed"] == 20, out.stdout + out.stderr
    assert any("40301" in e for e in summary["errors"]), summary["errors"]
    out = subprocess.run(base + ["--mode", "stream"], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "posted 60, acknowledged 60, failed 0" in out.stdout
    # Without the CA the emulator does not trust the server.
    out = subprocess.run([a for a in base if a not in ("--ca-file", str(pki / "ca.pem"))] +
                         ["--mode", "stream", "--attempts", "1", "--summary-json",
                          str(tmp_path / "c.json")], env=env, capture_output=True, text=True)
    assert out.returncode == 1
    assert any("SSLError" in e for e in json.loads((tmp_path / "c.json").read_text())["errors"])


def test_tls_slow_request_head_is_closed_cleanly(tmp_path, pki):
    # The slow-client reaper cannot write its plain-text 408 into a TLS stream: it closes.
    srv = Serve(tmp_path, "--tls-cert", pki / "server.pem", "--tls-key", pki / "server.key",
                "--header-timeout-ms", "300")
    try:
        ctx = ssl.create_default_context(cafile=str(pki / "ca.pem"))
        with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as raw:
            with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
                tls.sendall(b"GET /topics HTTP/1.1\r\nHost: x\r\n")
                t0 = time.monotonic()
                try:
                    got = tls.recv(100)
                except (ssl.SSLError, ConnectionError):
                    got = b""
                assert got == b"", got
                assert time.monotonic() - t0 < 8
        # The server still serves.
        assert requests.get(f"{srv.url}/topics", verify=str(pki / "ca.pem"),
                            timeout=10).status_code == 200
    finally:
        rc, err = srv.stop()
    assert rc == 0, err


def wait_for(srv, text, count):
    deadline = time.monotonic() + 20
    while srv.stderr().count(text) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.stderr().count(text) >= count, srv.stderr()


def test_sighup_reloads_credentials(tmp_path, pki, creds):
    """Keys rotate without a restart: after SIGHUP the new file's entries answer; a file that
    does not load (or is no longer private) leaves the entries in use."""
    srv = Serve(tmp_path, "--tls-cert", pki / "server.pem", "--tls-key", pki / "server.key",
                "--credentials", creds["path"])
    ca = str(pki / "ca.pem")
    url = f"{srv.url}/streams/streaming-t-pin/record"

    def put(key):
        return requests.put(url, data=put_record(), headers={"x-api-key": key}, verify=ca,
                            timeout=10).status_code
    try:
        new_key = "k-" + secrets.token_hex(16)
        assert (put(creds["key"]), put(new_key)) == (200, 403)
        write_credentials(creds["path"], {"api_keys": [
            {"name": "rotated", "key": new_key, "write": ["*"], "read": ["*"]}]})
        srv.proc.send_signal(signal.SIGHUP)
        wait_for(srv, "SIGHUP: reloaded the TLS certificate and key and the credentials", 1)
        assert (put(creds["key"]), put(new_key)) == (403, 200)
        # Broken, then readable by others: refused, the rotated key still answers.
        creds["path"].write_text('{"api_keys": [')
        srv.proc.send_signal(signal.SIGHUP)
        wait_for(srv, "what was in use stays", 1)
        write_credentials(creds["path"], {"api_keys": [{"key": "k-x", "write": ["*"]}]},
                          mode=0o644)
        srv.proc.send_signal(signal.SIGHUP)
        wait_for(srv, "what was in use stays", 2)
        assert "may be read or written by group or others" in srv.stderr()
        assert (put(creds["key"]), put(new_key), put("k-x")) == (403, 200, 403)
    finally:
        rc, err = srv.stop()
    assert rc == 0, err
    assert new_key not in err and creds["key"] not in err


# ---- Kinesis' own API (POST / with X-Amz-Target): the AWS SDK and CLI, signed, over TLS ----

def kinesis(srv, pki, akid, secret):
    import boto3
    from botocore.config import Config
    return boto3.client("kinesis", endpoint_url=srv.url, region_name="us-east-1",
                        aws_access_key_id=akid, aws_secret_access_key=secret,
                        verify=str(pki / "ca.pem"), config=Config(retries={"max_attempts": 1}))


def kinesis_error(call, **kwargs):
    from botocore.exceptions import ClientError
    with pytest.raises(ClientError) as e:
        call(**kwargs)
    return (e.value.response["Error"]["Code"],
            e.value.response["ResponseMetadata"]["HTTPStatusCode"])


def test_kinesis_api_boto3_signed_over_verified_tls(secured, pki, creds):
    k = kinesis(secured, pki, creds["akid"], creds["secret"])
    assert "streaming-t-pin" in k.list_streams()["StreamNames"]
    put = k.put_records(StreamName="streaming-t-pin",
                        Records=[{"Data": b'{"index": %d}' % i, "PartitionKey": str(i)}
                                 for i in range(3)])
    assert put["FailedRecordCount"] == 0
    it = k.get_shard_iterator(StreamName="streaming-t-pin", ShardId="shardId-000000000000",
                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    got = k.get_records(ShardIterator=it)["Records"]
    assert [r["Data"] for r in got] == [b'{"index": %d}' % i for i in range(3)]
    # Signed correctly, but its write list holds streaming-t-pin only; reads are allowed.
    assert kinesis_error(k.put_record, StreamName="streaming-t-geo", Data=b"{}",
                         PartitionKey="1") == ("AccessDeniedException", 400)
    assert k.describe_stream_summary(StreamName="streaming-t-geo")["StreamDescriptionSummary"]
    # A wrong secret, an unknown key id: refused before anything runs.
    bad = kinesis(secured, pki, creds["akid"], creds["secret"] + "x")
    assert kinesis_error(bad.list_streams) == ("InvalidSignatureException", 400)
    assert kinesis_error(bad.put_record, StreamName="streaming-t-pin", Data=b"{}",
                         PartitionKey="1") == ("InvalidSignatureException", 400)
    stranger = kinesis(secured, pki, "AKIDUNKNOWN0000", creds["secret"])
    assert kinesis_error(stranger.list_streams) == ("UnrecognizedClientException", 400)
    # Unsigned: no Authorization header at all.
    r = requests.post(secured.url + "/", data=b"{}", verify=pki / "ca.pem", timeout=10,
                      headers={"X-Amz-Target": "Kinesis_20131202.ListStreams",
                               "Content-Type": "application/x-amz-json-1.1"})
    assert r.status_code == 400
    assert r.json()["__type"] == "MissingAuthenticationTokenException"
    # Nothing refused was written: the three records only.
    it = k.get_shard_iterator(StreamName="streaming-t-pin", ShardId="shardId-000000000000",
                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    assert len(k.get_records(ShardIterator=it)["Records"]) == 3


def test_kinesis_api_aws_cli_signed_over_verified_tls(secured, pki, creds, tmp_path):
    env = {**os.environ, "AWS_ACCESS_KEY_ID": creds["akid"],
           "AWS_SECRET_ACCESS_KEY": creds["secret"], "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_CA_BUNDLE": str(pki / "ca.pem"), "AWS_CONFIG_FILE": str(tmp_path / "none"),
           "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
           "AWS_EC2_METADATA_DISABLED": "true"}
    env.pop("AWS_PROFILE", None)

    def aws(*args):
        return subprocess.run([sys.executable, "-m", "awscli", "--endpoint-url", secured.url,
                               "--output", "json", "kinesis", *args], env=env,
                              capture_output=True, text=True, timeout=120)

    p = aws("put-record", "--stream-name", "streaming-t-pin", "--partition-key", "cli",
            "--data", '{"index": 7}')
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["ShardId"] == "shardId-000000000000"
    p = aws("put-record", "--stream-name", "streaming-t-user", "--partition-key", "cli",
            "--data", "{}")
    assert p.returncode != 0 and "AccessDeniedException" in p.stderr, p.stderr
    env["AWS_SECRET_ACCESS_KEY"] = "not-the-secret"
    p = aws("list-streams")
    assert p.returncode != 0 and "InvalidSignatureException" in p.stderr, p.stderr
    assert creds["secret"] not in p.stderr


def test_health_checks_open_and_metrics_behind_credentials(secured, pki, creds):
    ca = pki / "ca.pem"
    for path in ("/healthz", "/readyz"):
        assert requests.get(secured.url + path, verify=ca, timeout=10).status_code == 200
    r = requests.get(secured.url + "/metrics", verify=ca, timeout=10)
    assert r.status_code == 401 and r.json()["error_code"] == 40101
    # bob may write and read nothing, yet scrape: /metrics is a listing.
    r = requests.get(secured.url + "/metrics", verify=ca, timeout=10,
                     auth=("bob", creds["bob_password"]))
    assert r.status_code == 200 and "pinetl_serve_requests_total" in r.text
    r = requests.get(secured.url + "/metrics", verify=ca, timeout=10,
                     auth=("bob", creds["bob_password"] + "x"))
    assert r.status_code == 401
