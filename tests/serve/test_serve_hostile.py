#!/usr/bin/env python3
"""pinetl serve against a hostile operator and hostile clients (issue 18): a landing folder
deleted under the running server, topic names whose files cannot fit the file system, messages
that name where they come from, NUL bytes in URLs, Kinesis Data as a JSON string, a body's
StreamName against its path, malformed HTTP answered in JSON, and reply bodies counted in the
memory budget.

Usage: test_serve_hostile.py PINETL"""
import base64
import json
import os
import shutil
import subprocess
import threading
import time

from serve_helpers import (PINETL, REST_JSON, Server, concurrently, raw_request, run_tests,
                           stream_records, tempdir, topic_records)


def rest_error(status, body, want_status, want_code):
    assert status == want_status, (status, str(body)[:300])
    assert isinstance(body, dict) and set(body) == {"error_code", "message"}, str(body)[:300]
    assert body["error_code"] == want_code, body


def kinesis_error(status, body, want_type, want_status=400):
    assert status == want_status, (status, str(body)[:300])
    assert isinstance(body, dict) and set(body) == {"__type", "message"}, str(body)[:300]
    assert body["__type"] == want_type, body


def serve_refused(args):
    """Runs a server that must refuse to start: its stderr."""
    p = subprocess.run([PINETL, "serve", "--listen", "127.0.0.1:0"] + args,
                       capture_output=True, timeout=30)
    assert p.returncode == 2, (p.returncode, p.stderr)
    return p.stderr.decode()


def write_config(d, config):
    cfg = os.path.join(d, "cfg.json")
    with open(cfg, "w") as f:
        json.dump(config, f)
    return cfg


# ---- item 3: a deleted landing folder ----

def check_landing_gone(d, remove):
    s = Server(d)
    assert s.produce("t.pin", [{"i": 0}])[0] == 200
    assert s.put_record("streaming-t-pin", {"i": 0})[0] == 200
    remove(d)
    # The writers still hold their files open; writing and syncing them succeeds, but nothing
    # written there is kept: no acknowledgement, now or later.
    for i in (1, 2):
        rest_error(*s.produce("t.pin", [{"i": i}])[::2], 500, 50002)
        kinesis_error(*s.put_record("streaming-t-pin", {"i": i})[::2], "InternalFailure", 500)
        st, _, body = s.put_records("streaming-t-pin", [{"i": i}, {"i": i + 10}])
        assert st == 200 and body["FailedRecordCount"] == 2, body
    rc, err = s.stop()
    assert "removed or replaced" in err or rc != 0, (rc, err)


def test_deleted_landing_is_not_acknowledged():
    check_landing_gone(tempdir(), lambda d: shutil.rmtree(d))


def test_recreated_landing_is_not_acknowledged():
    def recreate(d):
        shutil.rmtree(d)
        os.makedirs(os.path.join(d, ".serve"))
        os.makedirs(os.path.join(d, "streams", "streaming-t-pin"))
    check_landing_gone(tempdir(), recreate)


# ---- item 4: names whose files would not fit the file system ----

def test_topic_names_too_long_for_the_file_system_are_refused():
    """A rolled file is <topic>+<partition>+<offset>.json; with 255-byte names and offsets up to
    20 digits, a topic of one partition may have 227 characters; 228 is refused at start, before
    anything is created or acknowledged."""
    d = tempdir()
    land = os.path.join(d, "land")
    ok, long = "a" * 227, "b" * 228
    s = Server(land, "--config", write_config(d, {"topics": [ok]}))
    assert s.produce(ok, [{"i": 0}])[0] == 200
    s.stop_ok()
    assert [json.loads(l) for _, l in topic_records(land, ok)] == [{"i": 0}]
    err = serve_refused(["--landing", land, "--config", write_config(d, {"topics": [long]})])
    assert "too long" in err and "use at most 227 characters" in err, err
    assert not os.path.exists(os.path.join(land, "topics", long)), os.listdir(land + "/topics")
    # 1000 partitions: partition 999's files have two more digits; nothing of partitions 0-99,
    # whose names would fit, is created either.
    err = serve_refused(["--landing", land, "--config",
                         write_config(d, {"topics": [{"name": "c" * 226, "partitions": 1000}]})])
    assert "use at most 225 characters" in err, err
    assert not os.path.exists(os.path.join(land, "topics", "c" * 226)), os.listdir(land + "/topics")


def test_records_stuck_under_a_too_long_name_are_reported():
    """An older server acknowledged records under a 240-character topic into .serve/, then could
    never roll them: a start names the waiting records and what to do instead of failing on
    "File name too long"."""
    d = tempdir()
    land = os.path.join(d, "land")
    name = "p" * 240
    os.makedirs(os.path.join(land, ".serve"))
    with open(os.path.join(land, ".serve", name + "+0.open"), "w") as f:
        f.write('{"i":0}\n{"i":1}\n')
    err = serve_refused(["--landing", land, "--config", write_config(d, {"topics": [name]})])
    assert "too long" in err and ".open (16 bytes" in err and "shorter name" in err, err


# ---- item 10: a message prefixed with where it came from ----

def test_config_error_names_the_file_once():
    d = tempdir()
    cfg = write_config(d, {"topics": [".."]})
    err = serve_refused(["--landing", os.path.join(d, "land"), "--config", cfg])
    assert err == (f"pinetl serve: {cfg}: topic name '..' is not 1-249 characters of "
                   "[A-Za-z0-9._-]\n"), err



# ---- item 11: URLs and Kinesis bodies ----

def test_nul_in_url_is_refused():
    d = tempdir()
    s = Server(d)
    st, _, body = s.request("POST", "/topics/t.pin%00evil", {"records": [{"value": {"i": 0}}]},
                            REST_JSON)
    rest_error(st, body, 404, 40401)
    assert "t.pin%00evil" in body["message"], body
    kinesis_error(*s.request("PUT", "/streams/streaming-t-pin%00x/record",
                             {"Data": {"i": 0}, "PartitionKey": "k"}, "application/json")[::2],
                  "ResourceNotFoundException")
    # Other escapes still decode: %2E is '.'.
    assert s.produce("t%2Epin", [{"i": 1}])[0] == 200
    s.stop_ok()
    assert [json.loads(l) for _, l in topic_records(d, "t.pin")] == [{"i": 1}]
    assert stream_records(d, "streaming-t-pin") == []


def test_kinesis_data_as_json_text_string_is_accepted_as_by_clean():
    """SPEC: a Data string whose first non-space character is '{' is the record's JSON text; the
    server lands it as `pinetl clean --input-format kinesis` reads it."""
    d = tempdir()
    s = Server(d)
    text = ' {"index": 7, "s": "a"}'
    st, _, body = s.put_record("streaming-t-pin", text)
    assert st == 200, body
    st, _, body = s.put_records("streaming-t-pin", [text, base64.b64encode(b'{"index":8}').decode()])
    assert st == 200 and body["FailedRecordCount"] == 0, body
    kinesis_error(*s.put_record("streaming-t-pin", "[1] is not base64")[::2],
                  "ValidationException")
    s.stop_ok()
    assert [p for _, _, p in stream_records(d, "streaming-t-pin")] == [
        text.encode(), text.encode(), b'{"index":8}']
    # The same body read by the CLI gives the same records.
    body = json.dumps({"StreamName": "streaming-t-pin", "Data": text, "PartitionKey": "k"})
    p = subprocess.run([PINETL, "clean", "--table", "pin", "--input-format", "kinesis",
                        "-q", "-"], input=body.encode(),
                       capture_output=True, timeout=30)
    assert p.returncode == 0 and json.loads(p.stdout)["ind"] == 7, (p.stdout, p.stderr)


def test_kinesis_stream_name_must_match_path():
    d = tempdir()
    s = Server(d)
    for name in ["streaming-t-geo", "", 5, "streaming-t-pin "]:
        for url, body in [("/streams/streaming-t-pin/record",
                           {"StreamName": name, "Data": {"i": 0}, "PartitionKey": "k"}),
                          ("/streams/streaming-t-pin/records",
                           {"StreamName": name, "Records": [{"Data": {"i": 0},
                                                             "PartitionKey": "k"}]})]:
            st, _, reply = s.request("PUT", url, body, "application/json")
            kinesis_error(st, reply, "ValidationException")
            assert "StreamName" in reply["message"], reply
    assert s.put_record("streaming-t-pin", {"i": 1})[0] == 200  # StreamName equal to the path
    s.stop_ok()
    assert [json.loads(p) for _, _, p in stream_records(d, "streaming-t-pin")] == [{"i": 1}]



# ---- item 12: malformed HTTP ----

def parsed_reply(port, data):
    """raw_request's reply as (status, head text, body bytes)."""
    head, _, body = raw_request(port, data).partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), head.decode("latin-1"), body


BODY = b'{"records":[{"value":{"i":0}}]}'
PRODUCE = (b"POST /topics/t.pin HTTP/1.1\r\nHost: x\r\nContent-Type: " + REST_JSON.encode() +
           b"\r\n")
PUT = b"PUT /streams/streaming-t-pin/record HTTP/1.1\r\nHost: x\r\n"
DATA = b'{"Data":{"i":0},"PartitionKey":"k"}'


def test_conflicting_lengths_are_refused_in_json():
    d = tempdir()
    s = Server(d)
    n = len(BODY)
    for head, body in [(PRODUCE + b"Content-Length: %d\r\nContent-Length: 5\r\n" % n, BODY),
                       (PRODUCE + b"Content-Length: 5\r\ncontent-length: %d\r\n" % n, BODY),
                       (PRODUCE + b"Content-Length: %d\r\nTransfer-Encoding: chunked\r\n" % n,
                        BODY)]:
        st, h, reply = parsed_reply(s.port, head + b"\r\n" + body)
        rest_error(st, json.loads(reply), 400, 400)
        assert "connection: close" in h.lower(), h
    st, _, reply = parsed_reply(s.port, PUT + b"Content-Length: %d\r\nContent-Length: 1\r\n\r\n"
                               % len(DATA) + DATA)
    kinesis_error(st, json.loads(reply), "SerializationException")
    # The same length twice is one length.
    st, _, reply = parsed_reply(s.port, PRODUCE + b"Content-Length: %d\r\nContent-Length: %d\r\n"
                               b"Connection: close\r\n\r\n" % (n, n) + BODY)
    assert st == 200, reply
    s.stop_ok()
    assert [json.loads(l) for _, l in topic_records(d, "t.pin")] == [{"i": 0}]
    assert stream_records(d, "streaming-t-pin") == []


def test_what_remains_html_is_as_documented():
    """docs/serve-errors.md lists the faults libmicrohttpd answers itself, before the server sees
    the request: each gets the status documented there, the connection is closed, nothing lands,
    and the server goes on serving."""
    doc = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs",
                            "serve-errors.md")).read()
    d = tempdir()
    s = Server(d)
    cases = {
        "negative Content-Length": (PRODUCE + b"Content-Length: -5\r\n\r\n" + BODY, 400),
        "20-digit Content-Length": (PRODUCE + b"Content-Length: 99999999999999999999\r\n\r\n" +
                                    BODY, 413),
        "bad chunk size": (PRODUCE + b"Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
                           400),
        "100 KiB URL": (b"GET /" + b"a" * 102400 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
        "HTTP/2.0": (b"GET /topics HTTP/2.0\r\nHost: x\r\n\r\n", 505),
    }
    for name, (data, want) in cases.items():
        st, h, _ = parsed_reply(s.port, data)
        assert st == want, (name, st)
        assert "connection: close" in h.lower(), (name, h)
        assert f"| {name} | {want} |" in doc, name
    assert s.produce("t.pin", [{"i": 1}])[0] == 200
    s.stop_ok()
    assert [json.loads(l) for _, l in topic_records(d, "t.pin")] == [{"i": 1}]



# ---- item 9: replies are in the memory budget ----

def test_replies_and_parsed_records_stay_in_the_memory_budget():
    """Eight clients at once post 4 MiB bodies of 349,000 tiny records each; the reply to one is
    five times its body (an offset entry per record). Against a 64 MiB budget each request is
    acknowledged or refused with a retriable 503 (retried), exactly the acknowledged records
    land, and the server's peak RSS stays under the budget plus its own 16 MiB (main: over 200 MiB)."""
    d = tempdir()
    budget = 64 << 20
    s = Server(d, "--max-memory", str(budget), "--max-body", str(4 << 20), "--flush-size",
               "100000000", "--no-fsync")
    n = ((4 << 20) - 64) // 12
    body = b'{"records":[' + b",".join([b'{"value":1}'] * n) + b"]}"
    results, lock = [], threading.Lock()

    def client(_):  # retries a 503 as Retry-After asks, a few times
        for _ in range(10):
            st, _, reply = s.request("POST", "/topics/t.pin", body, REST_JSON)
            with lock:
                results.append((st, reply))
            if st != 503:
                break
            time.sleep(1)

    concurrently(client, 8)
    hwm_kb, sanitized = s.peak_rss()
    s.stop_ok()
    if not sanitized:  # ASan's shadow memory and quarantine are not the server's
        assert hwm_kb < (budget >> 10) + 16 * 1024, f"peak RSS {hwm_kb} kB, budget {budget >> 10} kB"
    statuses = [st for st, _ in results]
    assert set(statuses) <= {200, 503} and 200 in statuses, statuses
    ok = [r for st, r in results if st == 200]
    assert all(len(r["offsets"]) == n for r in ok)
    for st, r in results:
        if st == 503:
            rest_error(st, r, 503, 50003)
    assert len(topic_records(d, "t.pin")) == n * len(ok)
    # A request that could never fit is told so (413), not asked to retry.
    s = Server(tempdir(), "--max-memory", str(8 << 20), "--max-body", str(4 << 20))
    st, _, reply = s.request("POST", "/topics/t.pin", body, REST_JSON)
    assert st == 413, st
    rest_error(st, reply, 413, 413)
    s.stop_ok()


if __name__ == "__main__":
    run_tests(globals())
