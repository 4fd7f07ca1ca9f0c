#!/usr/bin/env python3
"""Acknowledged means kept (issue 18): pinetl serve writing stream logs and pinetl stream loading
them, through damage and replacement.

- A flipped byte inside a log loses only the record it hit: the server skips it on restart (and
  keeps a copy beside the log), sequence numbers are never handed out twice, and pinetl stream
  loads every other record once and reports the damaged one as a reject (reason quarantined).
- A landing folder deleted and recreated (or a log replaced) stops pinetl stream with exit 1 and
  a message saying what to do; --forget lets it read the new log from its start. A --follow
  consumer whose log is deleted stops too.
- --until-idle in front of bytes that are no record says so and exits 1.
- A second pinetl stream on one warehouse is refused.

Usage: test_stream_durability.py PINETL"""
import glob
import json
import os
import shutil
import sqlite3
import subprocess
import time

from serve_helpers import PINETL, Server, run_tests, stream_records, tempdir

STREAM = "streaming-d-pin"
SHARD = "shardId-000000000000"


def log_path(landing):
    return os.path.join(landing, "streams", STREAM, f"{SHARD}.log")


def put(s, first, n, batch=500):
    """PutRecords of records with index first..first+n-1; returns their sequence numbers."""
    seqs = []
    for b in range(first, first + n, batch):
        values = [{"index": i, "title": f"t{i}"} for i in range(b, min(b + batch, first + n))]
        status, _, body = s.put_records(STREAM, values)
        assert status == 200 and body["FailedRecordCount"] == 0, (status, body)
        seqs += [int(r["SequenceNumber"]) for r in body["Records"]]
    return seqs


def landed(n):
    """A fresh landing folder holding records 1..n (the server stopped), and a warehouse path."""
    d = tempdir()
    land, db = os.path.join(d, "landing"), os.path.join(d, "wh.db")
    s = Server(land, prefix="d")
    put(s, 1, n)
    s.stop_ok()
    return land, db


def stream(landing, db, *extra, timeout=120):
    p = subprocess.run([PINETL, "stream", "--landing", landing, "--db", db, "--until-idle",
                        "--batch-ms", "0", *extra], capture_output=True, timeout=timeout)
    return p.returncode, p.stderr.decode()


def rows(db, sql):
    con = sqlite3.connect(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def flip(path, offset):
    with open(path, "r+b") as f:
        f.seek(offset)
        b = f.read(1)
        f.seek(offset)
        f.write(bytes([b[0] ^ 0x10]))


def test_flipped_byte_after_loading_reuses_no_sequence_number():
    """The issue's reproduction: 4x500, SIGTERM, stream; flip a byte at 60,000; restart; 3x500;
    stream: all 1,500 new records are loaded (main committed 487 of them)."""
    d = tempdir()
    land, db = os.path.join(d, "landing"), os.path.join(d, "wh.db")
    s = Server(land, prefix="d")
    first = put(s, 1, 2000)
    s.stop_ok()
    rc, err = stream(land, db)
    assert rc == 0, err
    flip(log_path(land), 60000)
    s = Server(land, prefix="d")
    second = put(s, 2001, 1500)
    rc, serr = s.stop()
    assert rc == 0, serr
    assert "damaged range" in serr and "quarantine" in serr, serr
    assert min(second) > max(first), "a sequence number was handed out twice"
    rc, err = stream(land, db)
    assert rc == 0, err
    assert rows(db, "SELECT count(*) FROM pin")[0][0] == 3500
    # The damaged bytes are kept beside the log.
    assert glob.glob(log_path(land) + ".quarantine.*"), os.listdir(os.path.dirname(log_path(land)))


def test_flipped_byte_before_loading_is_one_quarantined_reject():
    """read = cleaned + rejected: the record the byte hit is a reject, the 3,499 others rows
    (main cut the log there: every record after it lost)."""
    d = tempdir()
    land, db = os.path.join(d, "landing"), os.path.join(d, "wh.db")
    s = Server(land, prefix="d")
    seqs = put(s, 1, 2000)
    s.stop_ok()
    flip(log_path(land), 60000)
    s = Server(land, prefix="d")
    seqs += put(s, 2001, 1500)
    s.stop_ok()
    rc, err = stream(land, db)
    assert rc == 0, err
    assert "quarantined" in err, err
    n = rows(db, "SELECT count(*) FROM pin")[0][0]
    rej = rows(db, "SELECT source, line, \"offset\", message FROM rejects WHERE reason = 'quarantined'")
    assert n == 3499 and len(rej) == 1, (n, rej)
    source, line, offset, message = rej[0]
    assert source == f"{STREAM}/{SHARD}" and line in seqs and offset <= 60000 < offset + 400, rej
    assert "damaged" in message, message
    # Every acknowledged record is a row exactly once or the one reject.
    idx = {r[0] for r in rows(db, "SELECT ind FROM pin")}
    missing = set(range(1, 3501)) - idx
    assert len(missing) == 1, sorted(missing)[:10]


def test_landing_recreated_stops_the_consumer():
    """main loaded 1,000 of 3,000 records from a recreated landing folder and exited 0."""
    land, db = landed(1000)
    rc, err = stream(land, db)
    assert rc == 0, err
    shutil.rmtree(land)
    s = Server(land, prefix="d")
    put(s, 1001, 3000)
    s.stop_ok()
    rc, err = stream(land, db)
    assert rc == 1, err
    assert "is not the one this warehouse read" in err and "--forget" in err, err
    assert rows(db, "SELECT count(*) FROM pin")[0][0] == 1000
    p = subprocess.run([PINETL, "stream", "--db", db, "--forget", f"{STREAM}/{SHARD}"],
                       capture_output=True, timeout=60)
    assert p.returncode == 0 and b"forgotten" in p.stderr, p.stderr
    rc, err = stream(land, db)
    assert rc == 0, err
    assert rows(db, "SELECT count(*) FROM pin")[0][0] == 4000


def test_log_cut_below_position_stops_the_consumer():
    """A log restored from an older, shorter copy: the consumer refuses it."""
    land, db = landed(100)
    old = open(log_path(land), "rb").read()
    s = Server(land, prefix="d")
    put(s, 101, 100)
    s.stop_ok()
    rc, err = stream(land, db)
    assert rc == 0, err
    with open(log_path(land), "wb") as f:
        f.write(old)
    rc, err = stream(land, db)
    assert rc == 1 and "no longer holds" in err, err
    assert rows(db, "SELECT count(*) FROM pin")[0][0] == 200


def test_follow_consumer_stops_when_its_log_is_deleted():
    """main kept reading a deleted log forever ("lag 0 B")."""
    d = tempdir()
    land, db = os.path.join(d, "landing"), os.path.join(d, "wh.db")
    s = Server(land, prefix="d")
    put(s, 1, 100)
    c = subprocess.Popen([PINETL, "stream", "--landing", land, "--db", db, "--follow",
                          "--batch-ms", "0", "--progress-interval", "0"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            if os.path.exists(db) and rows(db, "SELECT count(*) FROM sqlite_master "
                                               "WHERE name = 'stream_positions'")[0][0]:
                if rows(db, "SELECT count(*) FROM pin")[0][0] == 100:
                    break
            time.sleep(0.1)
        put(s, 101, 20)
        s.stop_ok()
        shutil.rmtree(land)
        rc = c.wait(30)
    finally:
        if c.poll() is None:
            c.kill()
            c.wait()
    err = c.stderr.read().decode()
    assert rc == 1, err
    assert "was deleted" in err, err
    # What it had read from the deleted log is committed.
    assert rows(db, "SELECT count(*) FROM pin")[0][0] == 120


def test_until_idle_in_front_of_a_torn_tail_exits_1():
    """main exited 0 "(drained)" without saying what it did not load."""
    land, db = landed(100)
    size = os.path.getsize(log_path(land))
    os.truncate(log_path(land), size - 7)
    rc, err = stream(land, db)
    assert rc == 1, err
    assert "NOT loaded" in err and "after sequence number" in err, err
    assert rows(db, "SELECT count(*) FROM pin")[0][0] == 99


def test_second_consumer_is_refused():
    d = tempdir()
    land, db = os.path.join(d, "landing"), os.path.join(d, "wh.db")
    os.makedirs(land)
    c = subprocess.Popen([PINETL, "stream", "--landing", land, "--db", db, "--follow",
                          "--progress-interval", "0"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 20
        while not os.path.exists(db + ".stream-lock") and time.time() < deadline:
            time.sleep(0.05)
        time.sleep(0.2)
        rc, err = stream(land, db)
        assert rc == 1 and "another pinetl stream" in err, (rc, err)
    finally:
        c.terminate()
        c.wait(30)
    rc, err = stream(land, db)
    assert rc == 0, err


def test_missing_landing_is_an_error():
    d = tempdir()
    rc, err = stream(os.path.join(d, "nonexistent"), os.path.join(d, "wh.db"))
    assert rc == 1 and "does not exist" in err, err


if __name__ == "__main__":
    run_tests(globals())
