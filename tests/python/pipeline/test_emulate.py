"""pinetl-emulate against a real local HTTP server (http.server on 127.0.0.1, a free port).

The server records every request and answers from a script, so the tests see the wire shapes,
the retries (connection errors, 5xx, 429, Kinesis throttling, per-record failures) and that a
4xx is never retried."""
import base64
import io
import json
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from pinetl_pipeline import emulate, source

# A local HTTP server stands in for the REST Proxy and Kinesis.
pytestmark = pytest.mark.service

TABLES = ("pin", "geo", "user")


class Recorder:
    """A scripted REST Proxy / Kinesis gateway. answer(request) -> (status, body dict, headers);
    by default every request succeeds with the reply its API gives."""

    def __init__(self, answer=None, delay=0.0):
        self.requests = []
        self.lock = threading.Lock()
        self.answer = answer or (lambda req, n: None)
        self.delay = delay
        self.in_flight = self.max_in_flight = 0
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _handle(self):
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                req = {"method": self.command, "path": self.path,
                       "content_type": self.headers.get("Content-Type"),
                       "body": json.loads(body) if body else None}
                with recorder.lock:
                    recorder.requests.append(req)
                    n = len(recorder.requests)
                    recorder.in_flight += 1
                    recorder.max_in_flight = max(recorder.max_in_flight, recorder.in_flight)
                try:
                    if recorder.delay:
                        time.sleep(recorder.delay)
                    out = recorder.answer(req, n)
                    if out == "close":  # a connection error for the client
                        self.close_connection = True
                        self.connection.shutdown(socket.SHUT_RDWR)
                        return
                    status, reply, headers = out if out else (200, default_reply(req), {})
                finally:
                    with recorder.lock:
                        recorder.in_flight -= 1
                data = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            do_POST = do_PUT = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def default_reply(req):
    body = req["body"]
    if req["path"].startswith("/topics/"):
        return {"key_schema_id": None, "value_schema_id": None,
                "offsets": [{"partition": 0, "offset": i, "error_code": None, "error": None}
                            for i in range(len(body["records"]))]}
    if req["path"].endswith("/records"):
        return {"FailedRecordCount": 0,
                "Records": [{"SequenceNumber": str(i + 1).zfill(21),
                             "ShardId": "shardId-000000000000"}
                            for i in range(len(body["Records"]))]}
    return {"SequenceNumber": "1".zfill(21), "ShardId": "shardId-000000000000"}


@pytest.fixture
def server():
    servers = []

    def make(answer=None, delay=0.0):
        s = Recorder(answer, delay)
        servers.append(s)
        return s
    yield make
    for s in servers:
        s.close()


@pytest.fixture(scope="module")
def source_db(tmp_path_factory, sample):
    path = tmp_path_factory.mktemp("src") / "source.db"
    source.build(path)
    return path


def run(source_db, url, *args):
    """main() in process; (exit status, summary dict)."""
    summary = source_db.parent / "summary.json"
    rc = emulate.main(["--source", str(source_db), "--url", url, "--progress", "never",
                       "--summary-json", str(summary), "--backoff-base", "0.001",
                       "--backoff-max", "0.01", *map(str, args)])
    return rc, json.loads(summary.read_text())


def drawn(source_db, count, seed):
    with source.open_source(str(source_db)) as src:
        return emulate.drawn_records(src, count, seed)


def test_draw_is_seeded_with_replacement_and_aligned(source_db, sample):
    a = emulate.draw(2262, 5000, 7)
    assert a == emulate.draw(2262, 5000, 7)
    assert a != emulate.draw(2262, 5000, 8)
    assert min(a) >= 1 and max(a) <= 2262
    assert len(set(a)) < len(a)  # with replacement
    recs = drawn(source_db, 200, 3)
    lines = {t: sample(t).read_text(encoding="utf-8").splitlines() for t in TABLES}
    for i, p in enumerate(emulate.draw(2262, 200, 3)):
        for t in TABLES:
            assert json.loads(recs[t][i]) == json.loads(lines[t][p - 1])
        # One post: the same key in the three tables.
        assert json.loads(recs["pin"][i])["index"] == json.loads(recs["geo"][i])["ind"] == \
            json.loads(recs["user"][i])["ind"]


def test_serialise_as_the_original():
    import datetime
    row = {"ind": 1, "timestamp": datetime.datetime(2020, 8, 28, 3, 52, 47), "latitude": -89.9787,
           "first_name": "Zoë"}
    assert emulate.serialise(row) == ('{"ind": 1, "timestamp": "2020-08-28 03:52:47", '
                                      '"latitude": -89.9787, "first_name": "Zo\\u00eb"}')


def test_batch_mode_wire_shape(server, source_db):
    srv = server()
    rc, summary = run(source_db, srv.url, "--mode", "batch", "--count", 20, "--seed", 9,
                      "--prefix", "0a1b")
    assert rc == 0
    assert summary["posted"] == summary["acknowledged"] == 60
    assert summary["failed"] == summary["retried"] == 0 and summary["requests"] == 60
    assert summary["latency_ms"]["p50"] is not None
    expected = drawn(source_db, 20, 9)
    got = {t: [] for t in TABLES}
    for req in srv.requests:
        assert req["method"] == "POST"
        assert req["content_type"] == "application/vnd.kafka.json.v2+json"
        assert req["path"] in {f"/topics/0a1b.{t}" for t in TABLES}
        assert list(req["body"]) == ["records"] and len(req["body"]["records"]) == 1
        assert list(req["body"]["records"][0]) == ["value"]
        got[req["path"].rsplit(".", 1)[1]].append(req["body"]["records"][0]["value"])
    for t in TABLES:
        assert sorted(map(json.dumps, got[t])) == \
            sorted(json.dumps(json.loads(r)) for r in expected[t])


def test_batch_records_per_request_in_post_order(server, source_db):
    srv = server()
    rc, summary = run(source_db, srv.url, "--count", 23, "--per-request", 5,
                      "--concurrency", 1)
    assert rc == 0 and summary["requests"] == 15 and summary["acknowledged"] == 69
    expected = drawn(source_db, 23, 1)
    assert [r["path"] for r in srv.requests[:3]] == [f"/topics/pinetl.{t}" for t in TABLES]
    for t in TABLES:
        values = [rec["value"] for r in srv.requests if r["path"] == f"/topics/pinetl.{t}"
                  for rec in r["body"]["records"]]
        assert values == [json.loads(x) for x in expected[t]]  # in order with one connection
    assert [len(r["body"]["records"]) for r in srv.requests][-3:] == [3, 3, 3]


def test_stream_mode_put_record(server, source_db):
    srv = server()
    rc, summary = run(source_db, srv.url, "--mode", "stream", "--count", 10, "--seed", 4)
    assert rc == 0 and summary["acknowledged"] == 30 and summary["requests"] == 30
    expected = drawn(source_db, 10, 4)
    for req in srv.requests:
        assert req["method"] == "PUT"
        table = req["path"].split("/")[2].rsplit("-", 1)[1]
        assert req["path"] == f"/streams/streaming-pinetl-{table}/record"
        assert set(req["body"]) == {"StreamName", "Data", "PartitionKey"}
        assert req["body"]["StreamName"] == f"streaming-pinetl-{table}"
        assert req["body"]["PartitionKey"] == "partition-1"
        assert json.dumps(req["body"]["Data"]) in {json.dumps(json.loads(r))
                                                   for r in expected[table]}


def test_stream_mode_put_records_base64(server, source_db):
    srv = server()
    rc, summary = run(source_db, srv.url, "--mode", "stream", "--count", 12, "--per-request",
                      5, "--data", "base64", "--concurrency", 1, "--stream-template",
                      "{table}-{prefix}")
    assert rc == 0 and summary["acknowledged"] == 36 and summary["requests"] == 9
    expected = drawn(source_db, 12, 1)
    pins = [r for r in srv.requests if r["path"] == "/streams/pin-pinetl/records"]
    assert [len(r["body"]["Records"]) for r in pins] == [5, 5, 2]
    assert pins[0]["body"]["StreamName"] == "pin-pinetl"
    data = [base64.b64decode(rec["Data"]).decode() for r in pins for rec in r["body"]["Records"]]
    assert data == expected["pin"]


@pytest.mark.parametrize("status,body", [
    (503, {"error_code": 50003, "message": "retriable"}),
    (500, {"error_code": 50002, "message": "kafka error"}),
    (429, {"message": "slow down"}),
])
def test_server_errors_and_throttling_are_retried(server, source_db, status, body):
    fails = {"n": 0}

    def answer(req, n):
        if req["path"].endswith(".geo") and fails["n"] < 2:
            fails["n"] += 1
            return status, body, {}
        return None
    srv = server(answer)
    rc, summary = run(source_db, srv.url, "--count", 3, "--concurrency", 1)
    assert rc == 0
    assert summary["acknowledged"] == 9 and summary["failed"] == 0
    assert summary["retried"] == 2 and summary["requests"] == 11
    geo = [r for r in srv.requests if r["path"].endswith(".geo")]
    assert geo[0]["body"] == geo[1]["body"] == geo[2]["body"]  # the same request again


@pytest.mark.parametrize("status,body", [
    (400, {"error_code": 400, "message": "malformed"}),
    (404, {"error_code": 40401, "message": "Topic not found"}),
    (415, {"error_code": 415, "message": "unsupported media type"}),
    (422, {"error_code": 42201, "message": "records invalid"}),
])
def test_client_errors_are_never_retried(server, source_db, status, body):
    srv = server(lambda req, n: (status, body, {}) if req["path"].endswith(".user") else None)
    rc, summary = run(source_db, srv.url, "--count", 4, "--attempts", 5)
    assert rc == 1
    assert summary["requests"] == 12 and summary["retried"] == 0
    assert summary["failed"] == 4 and summary["acknowledged"] == 8 and summary["posted"] == 12
    assert any(str(status) in e and body["message"] in e for e in summary["errors"])


def test_kinesis_throttling_and_partial_failures(server, source_db):
    state = {"single": 0, "batch": 0}

    def answer(req, n):
        if req["path"].endswith("/record") and state["single"] < 1:
            state["single"] += 1
            return 400, {"__type": "ProvisionedThroughputExceededException",
                         "message": "Rate exceeded for shard"}, {}
        if req["path"].endswith("/records") and state["batch"] < 1:
            state["batch"] += 1
            recs = req["body"]["Records"]
            out = [{"SequenceNumber": "1".zfill(21), "ShardId": "shardId-000000000000"}
                   for _ in recs]
            out[1] = {"ErrorCode": "ProvisionedThroughputExceededException",
                      "ErrorMessage": "Rate exceeded"}
            return 200, {"FailedRecordCount": 1, "Records": out}, {}
        return None
    srv = server(answer)
    rc, summary = run(source_db, srv.url, "--mode", "stream", "--count", 2, "--concurrency", 1)
    assert rc == 0 and summary["retried"] == 1 and summary["acknowledged"] == 6
    rc, summary = run(source_db, srv.url, "--mode", "stream", "--count", 4, "--per-request", 4,
                      "--concurrency", 1)
    assert rc == 0 and summary["retried"] == 1 and summary["acknowledged"] == 12
    batches = [r for r in srv.requests if r["path"].endswith("/records")]
    assert len(batches[0]["body"]["Records"]) == 4
    assert batches[1]["body"]["Records"] == [batches[0]["body"]["Records"][1]]  # only the failed


def test_kinesis_validation_error_is_not_retried(server, source_db):
    srv = server(lambda req, n: (400, {"__type": "ValidationException",
                                       "message": "1 validation error"}, {}))
    rc, summary = run(source_db, srv.url, "--mode", "stream", "--count", 1)
    assert rc == 1 and summary["requests"] == 3 and summary["failed"] == 3
    assert summary["retried"] == 0


def test_kafka_per_record_errors(server, source_db):
    seen = {"n": 0}

    def answer(req, n):
        if seen["n"] == 0:
            seen["n"] += 1
            recs = req["body"]["records"]
            offsets = [{"partition": 0, "offset": i, "error_code": None, "error": None}
                       for i in range(len(recs))]
            offsets[0] = {"partition": 0, "offset": None, "error_code": 50003, "error": "retry"}
            offsets[2] = {"partition": 0, "offset": None, "error_code": 40402, "error": "bad p"}
            return 200, {"key_schema_id": None, "value_schema_id": None, "offsets": offsets}, {}
        return None
    srv = server(answer)
    rc, summary = run(source_db, srv.url, "--count", 3, "--per-request", 3, "--concurrency", 1)
    assert rc == 1
    assert summary["acknowledged"] == 8 and summary["failed"] == 1 and summary["retried"] == 1
    assert srv.requests[1]["body"]["records"] == [srv.requests[0]["body"]["records"][0]]


def test_connection_errors_are_retried_then_counted_as_failed(server, source_db):
    drops = {"n": 0}

    def answer(req, n):
        if drops["n"] < 2:
            drops["n"] += 1
            return "close"
        return None
    srv = server(answer)
    rc, summary = run(source_db, srv.url, "--count", 2, "--concurrency", 1)
    assert rc == 0 and summary["retried"] == 2 and summary["acknowledged"] == 6
    # Nothing listening: every attempt fails to connect.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    rc, summary = run(source_db, dead, "--count", 2, "--attempts", 3)
    assert rc == 1 and summary["failed"] == 6 and summary["acknowledged"] == 0
    assert summary["retried"] == 12 and summary["requests"] == 18
    assert any("gave up after 3 attempts (ConnectionError)" in e for e in summary["errors"])


def test_retry_after_and_backoff_wait(server, source_db):
    first = {"n": 0}

    def answer(req, n):
        if first["n"] == 0:
            first["n"] += 1
            return 429, {"message": "slow down"}, {"Retry-After": "0.3"}
        return None
    srv = server(answer)
    t0 = time.monotonic()
    rc = emulate.main(["--source", str(source_db), "--url", srv.url, "--count", "1",
                       "--concurrency", "1", "--progress", "never"])
    assert rc == 0
    assert time.monotonic() - t0 >= 0.3  # waited as told before the retry


def test_concurrency_and_rate(server, source_db):
    srv = server(delay=0.05)
    rc, summary = run(source_db, srv.url, "--count", 20, "--concurrency", 4)
    assert rc == 0 and summary["acknowledged"] == 60
    assert 1 < srv.max_in_flight <= 4
    srv2 = server()
    t0 = time.monotonic()
    rc, summary = run(source_db, srv2.url, "--count", 10, "--rate", 50, "--concurrency", 4)
    assert rc == 0 and summary["requests"] == 30
    assert time.monotonic() - t0 >= 29 / 50  # 30 requests at most 50 a second


def test_progress_bar_only_on_a_terminal():
    class Tty(io.StringIO):
        def isatty(self):
            return True
    stats = emulate.Stats()
    for stream, shown in ((Tty(), True), (io.StringIO(), False)):
        p = emulate.Progress(10, stream=stream)
        for _ in range(10):
            p.advance(1, stats)
        p.close()
        assert ("[" + "#" * 30 + "] 10/10" in stream.getvalue()) is shown
        assert (stream.getvalue() != "") is shown


def test_command_line_summary_and_exit_status(server, source_db, tmp_path):
    srv = server()
    proc = subprocess.run([sys.executable, "-m", "pinetl_pipeline.emulate", "--source", str(source_db),
                           "--url", srv.url, "--count", "5", "--dump", str(tmp_path / "drawn")],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "posted 15, acknowledged 15, failed 0, retried 0" in proc.stdout
    assert "latency p50" in proc.stdout and "\r" not in proc.stderr  # no bar: not a terminal
    assert (tmp_path / "drawn" / "pin.jsonl").read_text().count("\n") == 5
    proc = subprocess.run([sys.executable, "-m", "pinetl_pipeline.emulate", "--source",
                           str(tmp_path / "missing.db"), "--url", srv.url],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "no such source database" in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "pinetl_pipeline.emulate", "--source", str(source_db),
                           "--mode", "stream", "--per-request", "501"],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "PutRecords" in proc.stderr
