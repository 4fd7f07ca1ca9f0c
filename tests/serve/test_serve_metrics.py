"""pinetl serve's GET /metrics, /healthz, /readyz and --access-log (issue 21 item 3), through real
HTTP on 127.0.0.1. /metrics is parsed with prometheus_client's own parser (the format a
Prometheus server reads), and every counter is checked against what the test sent: records and
bytes per topic and stream, requests by route and status, refusals by reason, the group-commit and
fdatasync histograms' counts. See docs/operating.md."""
import http.client
import json
import os
import socket
import subprocess
import threading
import time

import pytest

from serve_pytest import no_server_left  # noqa: F401 (sets $PINETL; an autouse fixture)
from serve_pytest import samples, value
from serve_helpers import (PINETL, REST_JSON, Server, raw_request, stream_records, tempdir,
                           topic_records)

# Starts pinetl serve.
pytestmark = pytest.mark.service


def scrape(port, conn=None):
    """{(sample name, ((label, value), ...) sorted): value} of GET /metrics (on conn, a kept-alive
    connection, if given)."""
    c = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request("GET", "/metrics")
    r = c.getresponse()
    text = r.read().decode()
    if conn is None:
        c.close()
    assert r.status == 200, text
    assert r.getheader("Content-Type").startswith("text/plain; version=0.0.4"), r.getheaders()
    return samples(text)


def requests_total(m, route, method, status):
    return value(m, "pinetl_serve_requests_total", route=route, method=method, status=str(status))


def rejected(m, reason):
    return value(m, "pinetl_serve_rejected_requests_total", reason=reason)


def test_metrics_counters_match_what_was_sent():
    d = tempdir()
    s = Server(d, "--max-memory", str(64 << 20))
    c = s.conn()  # one kept-alive connection: the gauges below are exact
    # 13 records to topic t.pin in 3 requests, 11 to stream streaming-t-geo in 3 requests.
    sizes = [5, 7, 1]
    for k, n in enumerate(sizes):
        st, _, body = s.produce("t.pin", [{"k": k, "i": i, "s": "x" * i} for i in range(n)],
                                conn=c)
        assert st == 200, body
    st, _, body = s.put_records("streaming-t-geo", [{"i": i} for i in range(4)], conn=c)
    assert st == 200 and body["FailedRecordCount"] == 0, body
    st, _, body = s.put_records("streaming-t-geo", [{"j": i, "pad": "y" * i} for i in range(6)],
                                conn=c)
    assert st == 200 and body["FailedRecordCount"] == 0, body
    assert s.put_record("streaming-t-geo", {"one": 1}, conn=c)[0] == 200
    # Refusals, one of each kind.
    assert s.request("POST", "/topics/t.pin", "{}", "application/json", conn=c)[0] == 415
    assert s.request("POST", "/topics/nope", {"records": [{"value": 1}]}, REST_JSON,
                     conn=c)[0] == 404
    assert s.request("POST", "/topics/t.pin", "{", REST_JSON, conn=c)[0] == 400
    assert s.request("POST", "/topics/t.pin", {"records": []}, REST_JSON, conn=c)[0] == 422
    assert s.request("DELETE", "/topics/t.pin", conn=c)[0] == 405
    assert s.request("GET", "/nowhere", conn=c)[0] == 404
    assert s.request("GET", "/topics", conn=c)[0] == 200

    m = scrape(s.port, c)
    n_topic, n_stream = sum(sizes), 11
    assert value(m, "pinetl_serve_acknowledged_records_total", kind="topic", name="t.pin") == n_topic
    assert value(m, "pinetl_serve_acknowledged_records_total", kind="stream",
                 name="streaming-t-geo") == n_stream
    for name in ("t.geo", "t.user"):
        assert value(m, "pinetl_serve_acknowledged_records_total", kind="topic", name=name) == 0
    # Requests by route template, method and status.
    assert requests_total(m, "/topics/{topic}", "POST", 200) == 3
    assert requests_total(m, "/streams/{stream}/records", "PUT", 200) == 2
    assert requests_total(m, "/streams/{stream}/record", "PUT", 200) == 1
    assert requests_total(m, "/topics/{topic}", "POST", 415) == 1
    assert requests_total(m, "/topics/{topic}", "POST", 404) == 1
    assert requests_total(m, "/topics/{topic}", "POST", 400) == 1
    assert requests_total(m, "/topics/{topic}", "POST", 422) == 1
    assert requests_total(m, "/topics/{topic}", "other", 405) == 1
    assert requests_total(m, "other", "GET", 404) == 1
    assert requests_total(m, "/topics", "GET", 200) == 1
    # Refusals by reason: exactly the ones sent, nothing else.
    want = {"unsupported_media_type": 1, "not_found": 2, "bad_request": 1, "invalid_records": 1,
            "method_not_allowed": 1}
    got = {labels[0][1]: v for (name, labels), v in m.items()
           if name == "pinetl_serve_rejected_requests_total" and v}
    assert got == want, got
    # Sequential requests: one group commit each, one fdatasync each (one file per group).
    commits = 3 + 3
    assert value(m, "pinetl_serve_group_commit_records_count") == commits
    assert value(m, "pinetl_serve_group_commit_records_sum") == n_topic + n_stream
    assert value(m, "pinetl_serve_group_commit_records_bucket", le="1") == 2  # the 1-record ones
    assert value(m, "pinetl_serve_fdatasync_seconds_count") == commits
    assert value(m, "pinetl_serve_fdatasync_seconds_sum") > 0
    # Gauges: idle now but for this scrape.
    assert value(m, "pinetl_serve_memory_budget_limit_bytes") == 64 << 20
    assert value(m, "pinetl_serve_memory_budget_used_bytes") == 0
    assert value(m, "pinetl_serve_open_connections") == 1
    assert value(m, "pinetl_serve_requests_in_flight") == 1
    assert value(m, "pinetl_serve_ready") == 1
    # The scrape itself is counted by the next one.
    assert requests_total(scrape(s.port, c), "/metrics", "GET", 200) == 1
    c.close()
    s.stop_ok()
    # Bytes: what landed (each topic record's JSON line without its newline; each stream
    # record's data); the server rolled its open files when it stopped.
    landed_topic = sum(len(line) for _, line in topic_records(d, "t.pin"))
    landed_stream = sum(len(data) for _, _, data in stream_records(d, "streaming-t-geo"))
    assert len(topic_records(d, "t.pin")) == n_topic
    assert value(m, "pinetl_serve_acknowledged_bytes_total", kind="topic",
                 name="t.pin") == landed_topic
    assert value(m, "pinetl_serve_acknowledged_bytes_total", kind="stream",
                 name="streaming-t-geo") == landed_stream


def test_metrics_counts_concurrent_requests_exactly():
    d = tempdir()
    s = Server(d)
    per_thread, threads, batch = 20, 8, 3

    def work(k):
        c = s.conn()
        for i in range(per_thread):
            st, _, body = s.produce("t.user", [{"t": k, "i": i, "j": j} for j in range(batch)],
                                    conn=c)
            assert st == 200, body
        c.close()

    ts = [threading.Thread(target=work, args=(k,)) for k in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    m = scrape(s.port)
    total = per_thread * threads * batch
    assert value(m, "pinetl_serve_acknowledged_records_total", kind="topic", name="t.user") == total
    assert requests_total(m, "/topics/{topic}", "POST", 200) == per_thread * threads
    groups = value(m, "pinetl_serve_group_commit_records_count")
    assert value(m, "pinetl_serve_group_commit_records_sum") == total
    assert 1 <= groups <= per_thread * threads
    assert value(m, "pinetl_serve_fdatasync_seconds_count") == groups
    s.stop_ok()


def admitted(send, refusals):
    """send()'s reply once the server has let its connection in. With --max-connections 1 a new
    connection can arrive before the server has seen the last one close: that one is refused
    with 503 too_many_connections (counted in refusals[0]) and sent again."""
    for _ in range(200):
        reply = send()
        text = reply if isinstance(reply, bytes) else repr(reply).encode()
        if b"too many connections" not in text:
            return reply
        refusals[0] += 1
        time.sleep(0.05)
    raise AssertionError("the server never took the connection in")


def test_metrics_count_limits_by_reason():
    d = tempdir()
    s = Server(d, "--max-body", "1000", "--max-memory", "1500", "--max-connections", "1",
               "--body-timeout-ms", "300")
    refused = [0]
    # A body over --max-body: 413 too_large.
    st, _, body = admitted(lambda: s.request("POST", "/topics/t.pin", b"x" * 1001, REST_JSON),
                           refused)
    assert st == 413, body
    # Two bodies of 900 bytes at once: the budget (2 x 900 > 1500) refuses the request: 503.
    st, _, body = admitted(lambda: s.request("POST", "/topics/t.pin", b" " * 900, REST_JSON),
                           refused)
    assert st == 503 and b"memory are at the limit" in repr(body).encode(), body
    # A body that never completes: 408 after the body deadline.
    reply = admitted(lambda: raw_request(
        s.port, b"POST /topics/t.pin HTTP/1.1\r\nHost: x\r\nContent-Type: " +
        REST_JSON.encode() + b"\r\nContent-Length: 50\r\n\r\n{\"rec"), refused)
    assert reply.startswith(b"HTTP/1.1 408"), reply[:80]
    # Two connections with --max-connections 1: the second one's request gets 503 (once the
    # server has taken the first one in).
    hold = socket.create_connection(("127.0.0.1", s.port))
    for _ in range(200):
        if s.request("GET", "/topics")[0] == 503:
            break
        time.sleep(0.05)
    hold.close()
    # The scrape may come before the server has seen the held connection go: retried (each
    # refused scrape is counted too).
    refused_scrapes = 0
    for _ in range(200):
        try:
            m = scrape(s.port)
            break
        except AssertionError:
            refused_scrapes += 1
            time.sleep(0.05)
    assert rejected(m, "too_large") == 1
    assert rejected(m, "memory_budget") == 1
    assert rejected(m, "body_timeout") == 1
    assert rejected(m, "too_many_connections") == 1 + refused_scrapes + refused[0]
    assert requests_total(m, "/topics/{topic}", "POST", 408) == 1
    assert requests_total(m, "/topics", "GET", 503) == 1
    s.stop_ok()


def test_metrics_count_head_timeouts():
    s = Server(tempdir(), "--header-timeout-ms", "300")
    reply = raw_request(s.port, b"POST /topics/t.pin HTTP/1.1\r\nHost: x\r\n")
    assert reply.startswith(b"HTTP/1.1 408"), reply[:80]
    m = scrape(s.port)
    assert rejected(m, "head_timeout") == 1
    assert requests_total(m, "none", "other", 408) == 1  # no complete head: no route
    s.stop_ok()


def test_memory_gauges_follow_a_body_while_it_arrives():
    s = Server(tempdir(), "--max-body", "50000", "--max-memory", "100000")
    body = json.dumps({"records": [{"value": {"p": "x" * 600}}]}).encode()
    held = socket.create_connection(("127.0.0.1", s.port))
    held.sendall(b"POST /topics/t.pin HTTP/1.1\r\nHost: x\r\nContent-Type: " +
                 REST_JSON.encode() + b"\r\nContent-Length: %d\r\n\r\n" % len(body) +
                 body[:100])
    # The budget holds twice a body while it arrives (the body and its records' copy). Scraped
    # on one kept-alive connection: the open connections are exactly it and the held one.
    c = s.conn()
    deadline = time.time() + 30
    while time.time() < deadline:
        m = scrape(s.port, c)
        if value(m, "pinetl_serve_memory_budget_used_bytes"):
            break
        time.sleep(0.05)
    assert value(m, "pinetl_serve_memory_budget_used_bytes") == 2 * len(body)
    assert value(m, "pinetl_serve_memory_budget_limit_bytes") == 100000
    assert value(m, "pinetl_serve_open_connections") == 2
    assert value(m, "pinetl_serve_requests_in_flight") == 2
    held.sendall(body[100:])
    assert held.recv(65536).startswith(b"HTTP/1.1 200")
    held.close()
    # Released when the request is over, just after its reply.
    while time.time() < deadline:
        m = scrape(s.port, c)
        if not value(m, "pinetl_serve_memory_budget_used_bytes"):
            break
        time.sleep(0.05)
    c.close()
    assert value(m, "pinetl_serve_memory_budget_used_bytes") == 0
    assert value(m, "pinetl_serve_acknowledged_records_total", kind="topic", name="t.pin") == 1
    s.stop_ok()


def free_port():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def get(port, path, method="GET", body=None, headers=None):
    """(status, body bytes), or None while nothing listens."""
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, data
    except ConnectionRefusedError:
        return None


def test_readyz_is_503_while_the_landing_recovers_then_200():
    # A landing whose 300 stream logs each end in a torn write: recovery copies each tail to a
    # quarantine file and appends an identity frame, with syncs (seconds in all).
    d = tempdir()
    streams = [f"s{i}" for i in range(300)]
    config = os.path.join(d, "config.json")
    with open(config, "w") as f:
        json.dump({"streams": streams}, f)
    landing = os.path.join(d, "landing")
    Server(landing, "--config", config).stop_ok()
    for name in streams:
        with open(os.path.join(landing, "streams", name, "shardId-000000000000.log"), "ab") as f:
            f.write(b"PSL1" + b"t" * 60)
    port = free_port()
    err_path = os.path.join(d, "stderr")  # a file: 300 recovery notices would fill a pipe
    with open(err_path, "wb") as err_file:
        proc = subprocess.Popen([PINETL, "serve", "--listen", f"127.0.0.1:{port}", "--landing",
                                 landing, "--config", config], stdout=subprocess.PIPE,
                                stderr=err_file)
    try:
        seen, writes_refused = [], 0
        put = json.dumps({"StreamName": "s1", "Data": "eyJ4IjoxfQ==", "PartitionKey": "k"})
        deadline = time.time() + 120
        while time.time() < deadline:
            r = get(port, "/readyz")
            if r is None:
                time.sleep(0.005)
                continue
            seen.append(r[0])
            if r[0] == 200:
                break
            assert r == (503, b"not ready: recovering the landing folder\n"), r
            assert get(port, "/healthz") == (200, b"ok\n")
            w = get(port, "/streams/s1/record", "PUT", put, {"Content-Type": "application/json"})
            if w[0] == 503:
                assert json.loads(w[1])["__type"] == "ServiceUnavailable", w
                writes_refused += 1
            time.sleep(0.01)
        assert seen and seen[0] == 503 and seen[-1] == 200, seen
        # Ready: the first line says where it listens, writes are accepted.
        line = proc.stdout.readline().decode()
        assert line == f"pinetl serve: listening on http://127.0.0.1:{port}\n", line
        assert get(port, "/streams/s1/record", "PUT", put,
                   {"Content-Type": "application/json"})[0] == 200
        m = scrape(port)
        assert rejected(m, "not_ready") == writes_refused >= 1
        assert requests_total(m, "/readyz", "GET", 503) == seen.count(503)
        assert value(m, "pinetl_serve_ready") == 1
    finally:
        proc.terminate()
        proc.wait(120)
        proc.stdout.close()
    with open(err_path) as f:
        err = f.read()
    assert proc.returncode == 0, err
    assert err.count("recovery: cut") == len(streams), err[:2000]


def test_access_log_has_one_json_line_per_request_and_no_secrets(tmp_path):
    d = tempdir()
    log = tmp_path / "access.log"
    s = Server(d, "--access-log", str(log))
    secret = "Sup3rSecretValue"
    st, _, _ = s.produce("t.pin", [{"a": 1}, {"b": 2}])
    assert st == 200
    st, _, _ = s.request("POST", "/topics/t.pin?api_key=" + secret, {"records": [{"value": 3}]},
                         REST_JSON, headers={"Authorization": "Bearer " + secret,
                                             "x-api-key": secret})
    assert st == 200
    assert s.put_records("streaming-t-pin", [{"x": 1}, {"x": 2}, {"x": 3}])[0] == 200
    assert s.request("POST", "/topics/t.pin", "{}", "application/json")[0] == 415
    assert s.request("GET", "/healthz")[0] == 200
    s.stop_ok()
    text = log.read_text()
    assert secret not in text
    # A line is written once its reply is sent: lines of requests on other connections may come
    # in another order than the replies did, so sorted by when each request began.
    lines = sorted((json.loads(line) for line in text.splitlines()), key=lambda e: e["time"])
    want = [("POST", "/topics/{topic}", "t.pin", 200, 2),
            ("POST", "/topics/{topic}", "t.pin", 200, 1),
            ("PUT", "/streams/{stream}/records", "streaming-t-pin", 200, 3),
            ("POST", "/topics/{topic}", None, 415, 0),  # refused before the topic was looked up
            ("GET", "/healthz", None, 200, 0)]
    assert sorted((e["method"], e["route"], e.get("target") or "", e["status"], e["records"])
                  for e in lines) == sorted((m, r, t or "", st, n) for m, r, t, st, n in want), lines
    for e in lines:
        assert set(e) >= {"time", "remote", "method", "route", "status", "bytes_in", "bytes_out",
                          "records", "duration_ms"}, e
        assert e["remote"].startswith("127.0.0.1:"), e
        assert e["time"].endswith("Z") and e["duration_ms"] >= 0, e
        assert e["bytes_out"] > 0
    refused = [e for e in lines if e["status"] == 415]
    assert refused[0]["reason"] == "unsupported_media_type" and refused[0]["bytes_in"] == 2
    assert all("reason" not in e for e in lines if e["status"] < 400)
    first = [e for e in lines if e["records"] == 2][0]
    assert first["bytes_in"] == len(json.dumps({"records": [{"value": {"a": 1}},
                                                            {"value": {"b": 2}}]}))


def stdout_after_first_line(s):
    """Stops the server (exit 0); what it wrote to stdout after the line Server() read."""
    s.proc.terminate()
    rest = s.proc.stdout.read().decode()
    rc, err = s.stop()
    assert rc == 0, err
    return rest


def test_access_log_to_stdout_after_the_first_line():
    s = Server(tempdir(), "--access-log", "-")
    assert s.request("GET", "/readyz")[0] == 200
    assert s.request("GET", "/nowhere")[0] == 404
    lines = [json.loads(line) for line in stdout_after_first_line(s).splitlines()]
    # (Lines of requests on two connections: in either order, see the access log test above.)
    assert sorted((e["route"], e["status"]) for e in lines) == [("/readyz", 200), ("other", 404)]


def test_access_log_is_off_by_default():
    s = Server(tempdir())
    assert s.produce("t.pin", [{"a": 1}])[0] == 200
    assert stdout_after_first_line(s) == ""


def test_ops_routes_answer_get_only():
    d = tempdir()
    s = Server(d)
    for path in ("/metrics", "/healthz", "/readyz"):
        st, hdrs, _ = s.request("POST", path, "x", "text/plain")
        assert st == 405 and hdrs["allow"] == "GET", (path, st, hdrs)
        assert s.request("HEAD", path)[0] == 200
    assert s.request("GET", "/healthz")[2] == b"ok\n"
    assert s.request("GET", "/readyz")[2] == b"ready\n"
    s.stop_ok()
