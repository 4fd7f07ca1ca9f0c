#!/usr/bin/env python3
"""pinetl serve through real HTTP clients: the Kafka REST Proxy v2 and Kinesis wire shapes, every
error shape, both REST content types, JSON and base64 Kinesis Data, the catch-all 404/405, each
limit (refused with an HTTP error while the server keeps serving), concurrent clients, offsets and
sequence numbers across restarts, rolling by count and by time, the torn-tail cut on start, a
topic config with partitions, clean shutdown, and `pinetl clean`/`load` reading the landing folder.

Usage: test_serve_api.py PINETL"""
import base64
import json
import os
import random
import re
import signal
import socket
import sqlite3
import subprocess
import threading
import time

from serve_helpers import (PINETL, REST_BINARY, REST_JSON, ROOT, Server, concurrently,
                           raw_request, run_tests, stream_records, tempdir, topic_records)

OFFSET_KEYS = {"partition", "offset", "error_code", "error"}


def rest_error(status, body, want_status, want_code):
    assert status == want_status, (status, body)
    assert isinstance(body, dict) and set(body) == {"error_code", "message"}, body
    assert body["error_code"] == want_code, body
    assert isinstance(body["message"], str) and body["message"], body


def kinesis_error(status, body, want_type, want_status=400):
    assert status == want_status, (status, body)
    assert isinstance(body, dict) and set(body) == {"__type", "message"}, body
    assert body["__type"] == want_type, body


def test_rest_json_and_binary_land_in_sink_layout():
    d = tempdir()
    s = Server(d)
    st, h, body = s.request("GET", "/topics")
    assert st == 200 and body == ["t.pin", "t.geo", "t.user"], body
    assert h["content-type"] == "application/vnd.kafka.v2+json"
    st, _, body = s.request("GET", "/topics/t.geo")
    assert st == 200 and body["name"] == "t.geo" and body["partitions"][0]["partition"] == 0
    st, _, body = s.produce("t.pin", [{"index": 1, "t": "a b"}, {"index": 2}])
    assert st == 200, body
    assert body["key_schema_id"] is None and body["value_schema_id"] is None
    assert [set(o) for o in body["offsets"]] == [OFFSET_KEYS] * 2
    assert [(o["partition"], o["offset"], o["error_code"], o["error"]) for o in body["offsets"]] \
        == [(0, 0, None, None), (0, 1, None, None)]
    st, _, body = s.produce("t.pin", [{"index": 3, "u": "\u00e9\u4e2d"}], binary=True)
    assert st == 200 and body["offsets"][0]["offset"] == 2, body
    # A pretty-printed value (newlines inside) lands compacted on one line; the content type may
    # carry parameters.
    raw = '{"records": [\n {"value": {\n  "index": 4,\n  "s": "x\\ny"\n }}\n]}'
    st, _, body = s.request("POST", "/topics/t.pin", raw, REST_JSON + "; charset=utf-8")
    assert st == 200 and body["offsets"][0]["offset"] == 3, body
    # Binary bytes that are not JSON land as they are.
    st, _, body = s.request("POST", "/topics/t.geo",
                            {"records": [{"value": base64.b64encode(b"plain bytes").decode()}]},
                            REST_BINARY)
    assert st == 200, body
    rc, err = s.stop()
    assert rc == 0, err
    lines = [l for _, l in topic_records(d, "t.pin")]
    assert [json.loads(l) for l in lines] == [{"index": 1, "t": "a b"}, {"index": 2},
                                              {"index": 3, "u": "\u00e9\u4e2d"},
                                              {"index": 4, "s": "x\ny"}], lines
    assert lines[3] == b'{"index":4,"s":"x\\ny"}'
    assert [l for _, l in topic_records(d, "t.geo")] == [b"plain bytes"]


def test_rest_error_shapes():
    d = tempdir()
    s = Server(d)
    rest_error(*s.produce("nope.pin", [{"a": 1}])[::2], 404, 40401)
    rest_error(*s.request("GET", "/topics/nope")[::2], 404, 40401)
    rest_error(*s.request("GET", "/topics/..")[::2], 404, 40401)
    rest_error(*s.request("POST", "/topics/a%20b", {"records": [{"value": 1}]},
                          REST_JSON)[::2], 404, 40401)
    # %2F decodes to '/': more path segments, so the catch-all answers.
    rest_error(*s.request("POST", "/topics/..%2F..%2Fetc", {"records": [{"value": 1}]},
                          REST_JSON)[::2], 404, 404)
    rest_error(*s.request("POST", "/topics/" + "a" * 250, {"records": [{"value": 1}]},
                          REST_JSON)[::2], 404, 40401)
    rest_error(*s.request("POST", "/topics/t.pin", {"records": [{"value": {}, "partition": 3}]},
                          REST_JSON)[::2], 404, 40402)
    rest_error(*s.request("POST", "/topics/t.pin", {"records": [{"value": {}}]})[::2], 415, 415)
    rest_error(*s.request("POST", "/topics/t.pin", {"records": [{"value": {}}]},
                          "application/json")[::2], 415, 415)
    rest_error(*s.request("POST", "/topics/t.pin", {"records": [{"value": {}}]},
                          "application/vnd.kafka.avro.v2+json")[::2], 415, 415)
    rest_error(*s.request("POST", "/topics/t.pin", '{"records": [', REST_JSON)[::2], 400, 400)
    rest_error(*s.request("POST", "/topics/t.pin", b'{"records":[{"value":"\xff"}]}',
                          REST_JSON)[::2], 400, 400)
    rest_error(*s.request("POST", "/topics/t.pin", {"records": []}, REST_JSON)[::2], 422, 422)
    rest_error(*s.request("POST", "/topics/t.pin", {"recs": [1]}, REST_JSON)[::2], 422, 422)
    rest_error(*s.request("POST", "/topics/t.pin", [1], REST_JSON)[::2], 422, 422)
    rest_error(*s.request("POST", "/topics/t.pin", {"records": [{"key": "k"}]},
                          REST_JSON)[::2], 422, 422)
    rest_error(*s.request("POST", "/topics/t.pin", {"records": [{"value": None}]},
                          REST_JSON)[::2], 422, 422)
    rest_error(*s.request("POST", "/topics/t.pin", {"records": [5]}, REST_JSON)[::2], 422, 422)
    rest_error(*s.request("POST", "/topics/t.pin", {"records": [{"value": "not base64!"}]},
                          REST_BINARY)[::2], 422, 422)
    rest_error(*s.request("POST", "/topics/t.pin", {"records": [{"value": {"a": 1}}]},
                          REST_BINARY)[::2], 422, 422)
    bad_lines = base64.b64encode(b"two\nlines").decode()
    rest_error(*s.request("POST", "/topics/t.pin", {"records": [{"value": bad_lines}]},
                          REST_BINARY)[::2], 422, 422)
    # None of the refused requests landed anything; the next record gets offset 0.
    st, _, body = s.produce("t.pin", [{"index": 1}])
    assert st == 200 and body["offsets"][0]["offset"] == 0, body
    rc, err = s.stop()
    assert rc == 0, err
    assert len(topic_records(d, "t.pin")) == 1


def test_write_failure_is_500_50002_and_others_go_on():
    """A landing file that cannot be written (its open file is /dev/full: every write fails with
    ENOSPC): 500/50002 for that topic, now and after; other topics and streams are served; a
    restart recovers, and nothing of the failed requests landed."""
    d = tempdir()
    s = Server(d)
    os.symlink("/dev/full", os.path.join(d, ".serve", "t.pin+0.open"))
    rest_error(*s.produce("t.pin", [{"i": 0}])[::2], 500, 50002)
    rest_error(*s.produce("t.pin", [{"i": 1}])[::2], 500, 50002)
    assert s.produce("t.geo", [{"i": 0}])[0] == 200
    assert s.put_record("streaming-t-pin", {"i": 0})[0] == 200
    s.stop()
    s = Server(d)
    st, _, body = s.produce("t.pin", [{"i": 2}])
    assert st == 200 and body["offsets"][0]["offset"] == 0, body
    s.stop_ok()
    assert [json.loads(l) for _, l in topic_records(d, "t.pin")] == [{"i": 2}]


def test_stream_write_failure_is_internal_failure():
    """Files may not grow past 256 kB (RLIMIT_FSIZE, SIGXFSZ ignored): a PutRecords that does not
    fit is answered 200 with every record failed (InternalFailure), a PutRecord 500
    InternalFailure; the sequence does not move, and smaller requests still land."""
    import resource

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (256 << 10, 256 << 10))

    d = tempdir()
    s = Server(d, preexec_fn=limit)
    st, _, body = s.put_record("streaming-t-pin", {"i": 0})
    assert st == 200 and body["SequenceNumber"] == "1".zfill(21), body
    big = [{"i": i, "pad": "p" * 1000} for i in range(300)]
    st, _, body = s.put_records("streaming-t-pin", big)
    assert st == 200 and body["FailedRecordCount"] == 300, body
    assert all(set(r) == {"ErrorCode", "ErrorMessage"} and r["ErrorCode"] == "InternalFailure"
               for r in body["Records"]), body["Records"][:2]
    kinesis_error(*s.put_record("streaming-t-pin", {"pad": "q" * 300000})[::2], "InternalFailure",
                  500)
    st, _, body = s.put_record("streaming-t-pin", {"i": 1})
    assert st == 200 and body["SequenceNumber"] == "2".zfill(21), body
    rc, err = s.stop()
    assert rc == 0, err
    assert [json.loads(p)["i"] for _, _, p in stream_records(d, "streaming-t-pin")] == [0, 1]


def test_kinesis_put_record_and_records():
    d = tempdir()
    s = Server(d)
    st, h, body = s.request("GET", "/streams")
    assert st == 200 and body == {"HasMoreStreams": False, "StreamNames": [
        "streaming-t-pin", "streaming-t-geo", "streaming-t-user"]}, body
    st, _, body = s.request("GET", "/streams/streaming-t-geo")
    desc = body["StreamDescription"]
    assert st == 200 and desc["StreamName"] == "streaming-t-geo" and desc["StreamStatus"] == "ACTIVE"
    assert desc["Shards"][0]["ShardId"] == "shardId-000000000000"
    st, _, body = s.put_record("streaming-t-pin", {"index": 1, "x": "a b"})
    assert st == 200 and body == {"SequenceNumber": "1".zfill(21),
                                  "ShardId": "shardId-000000000000"}, body
    st, _, body = s.put_record("streaming-t-pin", {"index": 2}, base64_data=True)
    assert st == 200 and body["SequenceNumber"] == "2".zfill(21), body
    st, _, body = s.put_records("streaming-t-pin", [{"index": 3}, {"index": 4}])
    assert st == 200 and body == {"FailedRecordCount": 0, "Records": [
        {"SequenceNumber": "3".zfill(21), "ShardId": "shardId-000000000000"},
        {"SequenceNumber": "4".zfill(21), "ShardId": "shardId-000000000000"}]}, body
    st, _, body = s.put_records("streaming-t-pin", [{"index": 5}], base64_data=True)
    assert st == 200 and body["Records"][0]["SequenceNumber"] == "5".zfill(21), body
    # Base64 data need not be JSON: the bytes land as they are.
    st, _, body = s.request("PUT", "/streams/streaming-t-user/record",
                            {"Data": base64.b64encode(b"\x00\x01raw").decode(),
                             "PartitionKey": "\u00e9" * 256}, "application/json")
    assert st == 200, body
    rc, err = s.stop()
    assert rc == 0, err
    recs = stream_records(d, "streaming-t-pin")
    assert [r[0] for r in recs] == [1, 2, 3, 4, 5]
    assert [json.loads(r[2]) for r in recs] == [{"index": 1, "x": "a b"}, {"index": 2},
                                                {"index": 3}, {"index": 4}, {"index": 5}]
    assert recs[0][2] == b'{"index":1,"x":"a b"}' and recs[0][1] == b"pk"
    assert recs[2][1] == b"k0" and recs[3][1] == b"k1"
    user = stream_records(d, "streaming-t-user")
    assert user == [(1, ("\u00e9" * 256).encode(), b"\x00\x01raw")], user


def test_kinesis_error_shapes():
    d = tempdir()
    s = Server(d)
    kinesis_error(*s.put_record("nope", {"a": 1})[::2], "ResourceNotFoundException")
    kinesis_error(*s.request("GET", "/streams/nope")[::2], "ResourceNotFoundException")
    kinesis_error(*s.request("PUT", "/streams/../record", {"Data": {}, "PartitionKey": "k"})[::2],
                  "ResourceNotFoundException")
    url = "/streams/streaming-t-pin/record"
    kinesis_error(*s.request("PUT", url, "{not json")[::2], "SerializationException")
    kinesis_error(*s.request("PUT", url, "[1]")[::2], "SerializationException")
    kinesis_error(*s.request("PUT", url, {"Data": {"a": 1}})[::2], "ValidationException")
    kinesis_error(*s.request("PUT", url, {"Data": {"a": 1}, "PartitionKey": ""})[::2],
                  "ValidationException")
    kinesis_error(*s.request("PUT", url, {"Data": {"a": 1}, "PartitionKey": "k" * 257})[::2],
                  "ValidationException")
    kinesis_error(*s.request("PUT", url, {"Data": {"a": 1}, "PartitionKey": 5})[::2],
                  "ValidationException")
    kinesis_error(*s.request("PUT", url, {"PartitionKey": "k"})[::2], "ValidationException")
    kinesis_error(*s.request("PUT", url, {"Data": None, "PartitionKey": "k"})[::2],
                  "ValidationException")
    kinesis_error(*s.request("PUT", url, {"Data": "***", "PartitionKey": "k"})[::2],
                  "ValidationException")
    big = base64.b64encode(b"x" * (1 << 20)).decode()
    kinesis_error(*s.request("PUT", url, {"Data": big, "PartitionKey": "k"})[::2],
                  "ValidationException")
    many = "/streams/streaming-t-pin/records"
    kinesis_error(*s.request("PUT", many, {"Records": []})[::2], "ValidationException")
    kinesis_error(*s.request("PUT", many, {"StreamName": "x"})[::2], "ValidationException")
    kinesis_error(*s.request("PUT", many, {"Records": [{"Data": {}, "PartitionKey": "k"}] * 501}
                             )[::2], "ValidationException")
    kinesis_error(*s.request("PUT", many, {"Records": [{"Data": {}, "PartitionKey": "k"},
                                                       {"Data": {}}]})[::2],
                  "ValidationException")
    chunk = base64.b64encode(b"y" * 900000).decode()
    kinesis_error(*s.request("PUT", many, {"Records": [{"Data": chunk, "PartitionKey": "k"}] * 6}
                             )[::2], "ValidationException")
    # At the limits exactly: accepted.
    st, _, body = s.request("PUT", url, {"Data": base64.b64encode(b"z" * ((1 << 20) - 1)).decode(),
                                         "PartitionKey": "k"})
    assert st == 200 and body["SequenceNumber"] == "1".zfill(21), body
    st, _, body = s.request("PUT", many, {"Records": [{"Data": {"i": i}, "PartitionKey": "k"}
                                                      for i in range(500)]})
    assert st == 200 and body["FailedRecordCount"] == 0 and len(body["Records"]) == 500, body
    assert body["Records"][-1]["SequenceNumber"] == "501".zfill(21)
    rc, err = s.stop()
    assert rc == 0, err
    assert len(stream_records(d, "streaming-t-pin")) == 501


def test_catch_all_404_405():
    s = Server(tempdir())
    for path in ["/", "/foo", "/topics/t.pin/partitions/0/x", "/streams/s/x/y", "/streams/x/y",
                 "/topics//", "//"]:
        for method in ["GET", "POST", "PUT", "DELETE"]:
            st, h, body = s.request(method, path, b"{}" if method != "GET" else None)
            rest_error(st, body, 404, 404)
            assert h["content-type"].startswith("application/"), h
    for method, path, allow in [("DELETE", "/topics/t.pin", "GET, POST"),
                                ("PUT", "/topics", "GET"), ("POST", "/streams", "GET"),
                                ("GET", "/streams/streaming-t-pin/record", "PUT"),
                                ("POST", "/streams/streaming-t-pin/records", "PUT"),
                                ("DELETE", "/streams/streaming-t-pin", "GET")]:
        st, h, body = s.request(method, path, b"{}")
        rest_error(st, body, 405, 405)
        assert h["allow"] == allow, (path, h)
    # Keep-alive: one connection, several requests, errors included.
    c = s.conn()
    for _ in range(3):
        assert s.request("GET", "/nope", conn=c)[0] == 404
        assert s.produce("t.pin", [{"index": 1}], conn=c)[0] == 200
        assert s.put_record("streaming-t-pin", {"index": 1}, conn=c)[0] == 200
    c.close()
    s.stop_ok()


def status_and_json(reply):
    head, _, body = reply.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), json.loads(body)


def trickle(port, chunks, pause):
    """Sends chunks with pauses; returns (reply bytes, seconds until the server answered)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    t0 = time.time()
    reply = b""
    try:
        for ch in chunks:
            sock.sendall(ch)
            time.sleep(pause)
            sock.setblocking(False)
            try:
                k = sock.recv(65536)
                if k or k == b"":
                    reply += k
                    if not k or reply:
                        break
            except BlockingIOError:
                pass
            finally:
                sock.setblocking(True)
        sock.settimeout(10)
        while True:
            k = sock.recv(65536)
            if not k:
                break
            reply += k
    except (ConnectionResetError, BrokenPipeError, socket.timeout):
        pass
    sock.close()
    return reply, time.time() - t0


def wait_budget_used(s, want):
    """Polls GET /metrics (which takes nothing from the budget) until the memory budget in use
    is want bytes: a loaded machine may take a while to read a held request's head."""
    for _ in range(400):
        st, _, text = s.request("GET", "/metrics")
        m = re.search(rb"^pinetl_serve_memory_budget_used_bytes (\S+)$", text, re.M)
        if st == 200 and m and float(m.group(1)) == want:
            return
        time.sleep(0.05)
    raise AssertionError(f"the memory budget in use never became {want} bytes")


def test_limits_body_size_and_memory():
    d = tempdir()
    s = Server(d, "--max-body", "2000", "--max-memory", "5000")
    big = {"records": [{"value": {"x": "a" * 3000}}]}
    rest_error(*s.request("POST", "/topics/t.pin", big, REST_JSON)[::2], 413, 413)
    st, _, body = s.request("PUT", "/streams/streaming-t-pin/record",
                            {"Data": {"x": "a" * 3000}, "PartitionKey": "k"})
    assert st == 413 and body["__type"] == "ValidationException", body
    # Chunked (no Content-Length): refused once it passes the limit.
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in [b"{" + b" " * 1500] * 3) + b"0\r\n\r\n"
    reply = raw_request(s.port, b"POST /topics/t.pin HTTP/1.1\r\nHost: x\r\nContent-Type: " +
                        REST_JSON.encode() + b"\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked)
    st, body = status_and_json(reply)
    rest_error(st, body, 413, 413)
    # Memory budget: a request holding 2 x 1500 bytes leaves no room for a second one.
    hold = socket.create_connection(("127.0.0.1", s.port), timeout=10)
    hold.sendall(b"POST /topics/t.pin HTTP/1.1\r\nHost: x\r\nContent-Type: " + REST_JSON.encode() +
                 b"\r\nContent-Length: 1500\r\n\r\n{")
    wait_budget_used(s, 3000)
    st, _, body = s.request("POST", "/topics/t.pin", {"records": [{"value": {"p": "b" * 1400}}]},
                            REST_JSON)
    rest_error(st, body, 503, 50003)
    value = json.dumps({"records": [{"value": {"p": "c" * 1400}}]}).encode()
    hold.sendall(value[1:] + b" " * (1500 - len(value)))
    head = hold.recv(65536)
    assert head.startswith(b"HTTP/1.1 200"), head
    hold.close()
    wait_budget_used(s, 0)
    # Still serving, and the budget is free again.
    st, _, body = s.produce("t.pin", [{"p": "d" * 1400}])
    assert st == 200 and body["offsets"][0]["offset"] == 1, body
    s.stop_ok()


def test_limits_head_size_and_second_server():
    d = tempdir()
    s = Server(d)
    reply = raw_request(s.port, b"GET /topics HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70000 +
                        b"\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 431 "), reply[:100]
    # A second server on the same landing folder is refused; the first one goes on serving.
    p = subprocess.run([PINETL, "serve", "--listen", "127.0.0.1:0", "--landing", d, "--prefix",
                        "t"], capture_output=True, timeout=30)
    assert p.returncode == 2 and b"locked" in p.stderr, p.stderr
    # Its port taken: refused with a message, exit status 2.
    p = subprocess.run([PINETL, "serve", "--listen", f"127.0.0.1:{s.port}", "--landing",
                        tempdir()], capture_output=True, timeout=30)
    assert p.returncode == 2 and b"cannot listen" in p.stderr, p.stderr
    assert s.produce("t.pin", [{"a": 1}])[0] == 200
    s.stop_ok()


def test_bounded_memory_under_load():
    """32 clients post 600 kB bodies at once against a 4 MiB body budget: each request is either
    acknowledged or refused with a retriable 503, the server's peak RSS stays bounded, and
    exactly the acknowledged records land."""
    d = tempdir()
    s = Server(d, "--max-memory", str(4 << 20), "--max-body", str(1 << 20))
    values = [{"i": i, "pad": "x" * 1000} for i in range(600)]
    results, lock = [], threading.Lock()

    def client(k):
        c = s.conn()
        for _ in range(3):
            st, _, body = s.request("POST", "/topics/t.pin", {"records": [{"value": v} for v in values]},
                                    REST_JSON, conn=c)
            with lock:
                results.append((st, body))
            if st != 200:
                c.close()
                c = s.conn()
        c.close()

    concurrently(client, 32)
    hwm_kb, sanitized = s.peak_rss()
    s.stop_ok()
    ok = [b for st, b in results if st == 200]
    busy = [b for st, b in results if st == 503]
    assert len(ok) + len(busy) == len(results) == 96, [st for st, _ in results]
    assert ok and busy, (len(ok), len(busy))
    for b in busy:
        rest_error(503, b, 503, 50003)
    assert len(topic_records(d, "t.pin")) == 600 * len(ok)
    assert hwm_kb < (384 if sanitized else 64) * 1024, f"peak RSS {hwm_kb} kB"


def test_clients_that_hang_up():
    """Clients that send a request and close at once (before, during or after the commit): the
    server goes on serving, stops cleanly, and what landed is consistent."""
    d = tempdir()
    s = Server(d)
    body = json.dumps({"records": [{"value": {"i": i}} for i in range(50)]}).encode()
    req = (b"POST /topics/t.pin HTTP/1.1\r\nHost: x\r\nContent-Type: " + REST_JSON.encode() +
           b"\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    kin = json.dumps({"Records": [{"Data": {"i": i}, "PartitionKey": "k"} for i in range(50)]}).encode()
    kreq = (b"PUT /streams/streaming-t-pin/records HTTP/1.1\r\nHost: x\r\nContent-Length: %d"
            b"\r\n\r\n" % len(kin) + kin)
    for i in range(60):
        c = socket.create_connection(("127.0.0.1", s.port))
        data = req if i % 2 else kreq
        c.sendall(data[:len(data) * (i % 3 + 1) // 3])   # a third, two thirds or all of it
        c.close()
    st, _, body = s.produce("t.pin", [{"i": -1}])
    assert st == 200, body
    rc, err = s.stop(timeout=30)
    assert rc == 0, err
    recs = topic_records(d, "t.pin")
    assert len(recs) % 50 == 1 and len(recs) <= 10 * 50 + 1, len(recs)
    assert len(stream_records(d, "streaming-t-pin")) % 50 == 0


def test_limits_connections():
    s = Server(tempdir(), "--max-connections", "4")
    idle = [socket.create_connection(("127.0.0.1", s.port)) for _ in range(4)]
    # Polled, not slept on: a loaded machine may take a while to accept the idle four, and to
    # see them close.
    for _ in range(200):
        st, h, body = s.request("GET", "/topics")
        if st == 503:
            break
        time.sleep(0.05)
    rest_error(st, body, 503, 50003)
    assert h["retry-after"] == "1", h
    st, _, body = s.put_record("streaming-t-pin", {"a": 1})
    kinesis_error(st, body, "ServiceUnavailable", 503)
    for c in idle:
        c.close()
    for _ in range(200):
        st = s.request("GET", "/topics")[0]
        if st == 200:
            break
        time.sleep(0.05)
    assert st == 200
    s.stop_ok()


def test_limits_slow_clients():
    s = Server(tempdir(), "--header-timeout-ms", "600", "--body-timeout-ms", "800",
               "--idle-timeout", "3")
    # A head trickled one byte at a time (each byte resets an idle timer, not the deadline).
    head = b"GET /topics HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"p" * 40
    reply, took = trickle(s.port, [head[i:i + 1] for i in range(len(head))], 0.05)
    st, body = status_and_json(reply)
    rest_error(st, body, 408, 408)
    assert took < 2.5, took
    # A body trickled after a prompt head.
    start = (b"POST /topics/t.pin HTTP/1.1\r\nHost: x\r\nContent-Type: " + REST_JSON.encode() +
             b"\r\nContent-Length: 100\r\n\r\n")
    reply, took = trickle(s.port, [start] + [b" "] * 60, 0.05)
    st, body = status_and_json(reply)
    rest_error(st, body, 408, 408)
    assert took < 2.5, took
    # Meanwhile and afterwards: served.
    assert s.request("GET", "/topics")[0] == 200
    assert s.produce("t.pin", [{"a": 1}])[0] == 200
    s.stop_ok()


def test_concurrent_clients():
    d = tempdir()
    s = Server(d)
    n_threads, per = 24, 15
    acks = {"rest": [], "kin": []}
    errors = []
    lock = threading.Lock()

    def client(k):
        try:
            c = s.conn()
            for i in range(per):
                uid = k * 1000 + i
                if k % 2:
                    st, _, body = s.produce("t.pin", [{"uid": uid, "j": j} for j in range(3)], conn=c,
                                            binary=k % 4 == 1)
                    assert st == 200, body
                    with lock:
                        acks["rest"] += [(o["offset"], uid, j) for j, o in enumerate(body["offsets"])]
                else:
                    st, _, body = s.put_records("streaming-t-pin", [{"uid": uid, "j": j} for j in range(3)],
                                                conn=c, base64_data=k % 4 == 2)
                    assert st == 200 and body["FailedRecordCount"] == 0, body
                    with lock:
                        acks["kin"] += [(int(r["SequenceNumber"]), uid, j)
                                        for j, r in enumerate(body["Records"])]
            c.close()
        except Exception as e:   # noqa: BLE001 - reported below
            errors.append(repr(e))

    threads = [threading.Thread(target=client, args=(k,)) for k in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:3]
    rc, err = s.stop()
    assert rc == 0, err
    total = n_threads // 2 * per * 3
    # Group commit: concurrent requests shared syncs.
    m = re.search(r"(\d+) requests \((\d+) records\) committed in (\d+) group commits", err)
    assert m and int(m.group(1)) == n_threads * per and int(m.group(2)) == 2 * total, err
    assert int(m.group(3)) < n_threads * per, err
    assert sorted(o for o, _, _ in acks["rest"]) == list(range(total))
    assert sorted(q for q, _, _ in acks["kin"]) == list(range(1, total + 1))
    landed = {o: json.loads(l) for o, l in topic_records(d, "t.pin")}
    assert len(landed) == total
    for o, uid, j in acks["rest"]:
        assert landed[o] == {"uid": uid, "j": j}, (o, landed[o], uid, j)
    logged = {q: json.loads(p) for q, _, p in stream_records(d, "streaming-t-pin")}
    assert len(logged) == total
    for q, uid, j in acks["kin"]:
        assert logged[q] == {"uid": uid, "j": j}


def test_restart_keeps_offsets_and_sequence_numbers():
    d = tempdir()
    for round_ in range(3):
        s = Server(d)
        st, _, body = s.produce("t.geo", [{"r": round_, "i": i} for i in range(4)])
        assert [o["offset"] for o in body["offsets"]] == list(range(4 * round_, 4 * round_ + 4))
        st, _, body = s.put_records("streaming-t-geo", [{"r": round_}] * 2)
        assert [int(r["SequenceNumber"]) for r in body["Records"]] == \
            [2 * round_ + 1, 2 * round_ + 2], body
        s.stop_ok()
    assert len(topic_records(d, "t.geo")) == 12
    assert [r[0] for r in stream_records(d, "streaming-t-geo")] == list(range(1, 7))


def test_rolling_by_count_and_by_time():
    d = tempdir()
    s = Server(d, "--flush-size", "3", "--rotate-interval-ms", "0")
    s.produce("t.user", [{"i": i} for i in range(7)])
    s.produce("t.user", [{"i": 7}])
    pdir = os.path.join(d, "topics", "t.user", "partition=0")
    # Full files are in place while the server runs; the open one is not.
    assert sorted(os.listdir(pdir)) == ["t.user+0+0000000000.json", "t.user+0+0000000003.json"]
    s.stop_ok()
    assert sorted(os.listdir(pdir)) == ["t.user+0+0000000000.json", "t.user+0+0000000003.json",
                                        "t.user+0+0000000006.json"]
    assert [len(open(os.path.join(pdir, f), "rb").read().splitlines())
            for f in sorted(os.listdir(pdir))] == [3, 3, 2]
    s = Server(d, "--flush-size", "1000", "--rotate-interval-ms", "300")
    s.produce("t.user", [{"i": 8}])
    deadline = time.time() + 5
    while time.time() < deadline and len(os.listdir(pdir)) < 4:
        time.sleep(0.05)
    assert "t.user+0+0000000008.json" in os.listdir(pdir), os.listdir(pdir)
    s.produce("t.user", [{"i": 9}])
    s.stop_ok()
    assert [json.loads(l)["i"] for _, l in topic_records(d, "t.user")] == list(range(10))


def test_torn_tail_cut_on_start():
    d = tempdir()
    s = Server(d)
    s.produce("t.pin", [{"i": 0}, {"i": 1}, {"i": 2}])
    s.put_records("streaming-t-pin", [{"i": 0}, {"i": 1}])
    s.kill9()
    open_file = os.path.join(d, ".serve", "t.pin+0.open")
    assert os.path.getsize(open_file) > 0
    with open(open_file, "ab") as f:
        f.write(b'{"i": 3, "torn')                     # a write cut by a crash
    log = os.path.join(d, "streams", "streaming-t-pin", "shardId-000000000000.log")
    with open(log, "ab") as f:
        f.write(b"PSL1\x40\x00\x00\x00garbage")        # a torn frame
    s = Server(d)
    st, _, body = s.produce("t.pin", [{"i": 3}])
    assert body["offsets"][0]["offset"] == 3, body
    st, _, body = s.put_record("streaming-t-pin", {"i": 2})
    assert body["SequenceNumber"] == "3".zfill(21), body
    rc, err = s.stop()
    assert rc == 0
    assert "cut" in err, err
    assert [json.loads(l)["i"] for _, l in topic_records(d, "t.pin")] == [0, 1, 2, 3]
    assert [json.loads(p)["i"] for _, _, p in stream_records(d, "streaming-t-pin")] == [0, 1, 2]


def test_config_file_partitions_and_name_validation():
    d = tempdir()
    cfg = os.path.join(d, "cfg.json")
    with open(cfg, "w") as f:
        json.dump({"topics": [{"name": "a.pin", "partitions": 2}, "a.geo"],
                   "streams": ["s-1"]}, f)
    s = Server(os.path.join(d, "land"), "--config", cfg)
    assert s.request("GET", "/topics")[2] == ["a.pin", "a.geo"]
    assert len(s.request("GET", "/topics/a.pin")[2]["partitions"]) == 2
    st, _, body = s.request("POST", "/topics/a.pin", {"records": [
        {"value": {"i": 0}, "partition": 1}, {"value": {"i": 1}, "partition": 0},
        {"value": {"i": 2}, "partition": 1}]}, REST_JSON)
    assert [(o["partition"], o["offset"]) for o in body["offsets"]] == [(1, 0), (0, 0), (1, 1)]
    rest_error(*s.request("POST", "/topics/a.pin", {"records": [{"value": {}, "partition": 2}]},
                          REST_JSON)[::2], 404, 40402)
    assert s.put_record("s-1", {"i": 0})[0] == 200
    s.stop_ok()
    assert [json.loads(l)["i"] for _, l in topic_records(os.path.join(d, "land"), "a.pin", 1)] == [0, 2]
    for bad in [{"topics": ["../x"]}, {"topics": ["a" * 250]}, {"streams": [".."]},
                {"topics": ["a b"]}, {"topics": [{"name": "x", "partitions": 0}]}, {},
                {"topics": ["x", "x"]}]:
        with open(cfg, "w") as f:
            json.dump(bad, f)
        p = subprocess.run([PINETL, "serve", "--listen", "127.0.0.1:0", "--landing",
                            os.path.join(d, "land2"), "--config", cfg], capture_output=True,
                           timeout=30)
        assert p.returncode == 2 and b"pinetl serve:" in p.stderr, (bad, p.stderr)
    p = subprocess.run([PINETL, "serve", "--landing", d, "--prefix", "../x", "--listen",
                        "127.0.0.1:0"], capture_output=True, timeout=30)
    assert p.returncode == 2, p.stderr
    p = subprocess.run([PINETL, "serve", "--listen", "nohost:1", "--landing", d],
                       capture_output=True, timeout=30)
    assert p.returncode == 2, p.stderr


def test_sigint_finishes_and_rolls():
    d = tempdir()
    s = Server(d)
    s.produce("t.pin", [{"i": 0}])
    rc, err = s.stop(signal.SIGINT)
    assert rc == 0 and "stopped" in err, (rc, err)
    assert len(topic_records(d, "t.pin")) == 1
    assert not os.path.exists(os.path.join(d, ".serve", "t.pin+0.open"))


def sample(table, n):
    with open(os.path.join(ROOT, "tests", "data", "real-sample", f"{table}.jsonl"), "rb") as f:
        return [json.loads(l) for l in f.read().splitlines()[:n]]


def test_clean_and_load_read_the_landing_folder():
    d = tempdir()
    s = Server(d, "--flush-size", "70")
    rows = {t: sample(t, 200) for t in ("pin", "geo", "user")}
    for t, recs in rows.items():
        for i in range(0, len(recs), 50):
            st, _, body = s.produce(f"t.{t}", recs[i:i + 50], binary=(i // 50) % 2 == 1)
            assert st == 200, body
    s.stop_ok()
    db = os.path.join(d, "wh.db")
    for t, recs in rows.items():
        p = subprocess.run([PINETL, "clean", "--table", t, "--summary-json",
                            os.path.join(d, f"{t}.sum.json"), os.path.join(d, "topics")],
                           capture_output=True, timeout=120)
        assert p.returncode == 0, p.stderr
        summary = json.load(open(os.path.join(d, f"{t}.sum.json")))
        assert summary["read"] == len(recs), summary
        direct = subprocess.run([PINETL, "clean", "--table", t, "-"], capture_output=True,
                                input=b"\n".join(json.dumps(r).encode() for r in recs), timeout=120)
        assert p.stdout == direct.stdout
        p = subprocess.run([PINETL, "load", "--db", db, "--table", t, "--quiet",
                            os.path.join(d, "topics")], capture_output=True, timeout=120)
        assert p.returncode == 0, p.stderr
    con = sqlite3.connect(db)
    for t, recs in rows.items():
        key = "index" if t == "pin" else "ind"
        want = len({r[key] for r in recs})
        assert con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] == want
    con.close()


def test_stream_consumer_reads_the_logs():
    """PutRecords (JSON and base64 Data) through pinetl serve, then `pinetl stream --until-idle`
    tails the logs into a warehouse: the same rows as `pinetl load` of the records themselves."""
    d = tempdir()
    s = Server(d)
    rows = {t: sample(t, 300) for t in ("pin", "geo", "user")}
    for t, recs in rows.items():
        for i in range(0, len(recs), 100):
            st, _, body = s.put_records(f"streaming-t-{t}", recs[i:i + 100],
                                        base64_data=(i // 100) % 2 == 1)
            assert st == 200 and body["FailedRecordCount"] == 0, body
    assert s.stop()[0] == 0
    db, direct = os.path.join(d, "stream.db"), os.path.join(d, "direct.db")
    p = subprocess.run([PINETL, "stream", "--landing", d, "--db", db, "--until-idle", "--quiet"],
                       capture_output=True, timeout=300)
    assert p.returncode == 0, p.stderr
    for t, recs in rows.items():
        p = subprocess.run([PINETL, "load", "--db", direct, "--table", t, "--quiet", "-"],
                           input=b"\n".join(json.dumps(r).encode() for r in recs),
                           capture_output=True, timeout=120)
        assert p.returncode == 0, p.stderr
    a, b = sqlite3.connect(db), sqlite3.connect(direct)
    for t in rows:
        q = f'SELECT * FROM "{t}" ORDER BY ind'
        got, want = a.execute(q).fetchall(), b.execute(q).fetchall()
        assert got == want and len(got) > 250, (t, len(got), len(want))
    a.close()
    b.close()


if __name__ == "__main__":
    random.seed(1)
    run_tests(globals())
