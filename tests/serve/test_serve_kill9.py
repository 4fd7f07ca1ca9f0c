#!/usr/bin/env python3
"""kill -9 loop: clients post to pinetl serve (REST JSON and binary, Kinesis PutRecords and
PutRecord, concurrently) while the server is killed with SIGKILL at random moments, then
restarted on the same landing folder. Afterwards every acknowledged record is in the landing
folder exactly once, at the offset or sequence number its reply gave; no record is there twice;
offsets and sequence numbers have no gaps; `pinetl clean` and `pinetl load` read the landing
folder. Clients never retry, so a duplicate could only come from the server.

The second loop (issue 18) also damages the stream logs between rounds (a flipped byte inside a
log) and now and then deletes and recreates the landing folder, with `pinetl stream` loading in
between: every acknowledged record ends up loaded exactly once or reported as a quarantined
reject, never silently missing.

Usage: test_serve_kill9.py PINETL   (SERVE_KILL_ITERATIONS, default 12)"""
import base64
import glob
import http.client
import itertools
import json
import os
import random
import shutil
import sqlite3
import subprocess
import threading
import time

from serve_helpers import (PINETL, REST_BINARY, REST_JSON, ROOT, Server, run_tests,
                           stream_records, tempdir, topic_records)

ITERATIONS = int(os.environ.get("SERVE_KILL_ITERATIONS", "12"))
TABLES = ("pin", "geo", "user")


def load_sample(table):
    with open(os.path.join(ROOT, "tests", "data", "real-sample", f"{table}.jsonl"), "rb") as f:
        return [json.loads(l) for l in f.read().splitlines()[:300]]


def test_kill9_loop():
    rng = random.Random(int(os.environ.get("SERVE_KILL_SEED", "7")))
    d = tempdir()
    samples = {t: load_sample(t) for t in TABLES}
    uids = itertools.count(1)
    lock = threading.Lock()
    acked = {}          # uid -> ("topic"|"stream", name, offset or sequence number)
    attempted = set()
    answered_500 = []

    def record(table, uid):
        r = dict(rng.choice(samples[table]))
        r["index" if table == "pin" else "ind"] = uid
        return r

    def client(port, kind, table, seed):
        crng = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            while True:
                n = 1 if kind == "put_record" else crng.randint(1, 60)
                with lock:
                    batch = [(next(uids), None) for _ in range(n)]
                    batch = [(u, record(table, u)) for u, _ in batch]
                    attempted.update(u for u, _ in batch)
                if kind in ("rest_json", "rest_binary"):
                    if kind == "rest_json":
                        recs = [{"value": v} for _, v in batch]
                    else:
                        recs = [{"value": base64.b64encode(json.dumps(v).encode()).decode()}
                                for _, v in batch]
                    conn.request("POST", f"/topics/k.{table}", json.dumps({"records": recs}),
                                 {"Content-Type": REST_JSON if kind == "rest_json" else REST_BINARY})
                elif kind == "put_records":
                    recs = [{"Data": v, "PartitionKey": str(u)} for u, v in batch]
                    conn.request("PUT", f"/streams/streaming-k-{table}/records",
                                 json.dumps({"StreamName": f"streaming-k-{table}", "Records": recs}),
                                 {"Content-Type": "application/json"})
                else:
                    u, v = batch[0]
                    conn.request("PUT", f"/streams/streaming-k-{table}/record",
                                 json.dumps({"StreamName": f"streaming-k-{table}",
                                             "Data": base64.b64encode(json.dumps(v).encode()).decode(),
                                             "PartitionKey": str(u)}),
                                 {"Content-Type": "application/json"})
                resp = conn.getresponse()
                body = json.loads(resp.read())
                if resp.status != 200:
                    answered_500.append((resp.status, body))
                    return
                with lock:
                    if kind.startswith("rest"):
                        for (u, _), o in zip(batch, body["offsets"]):
                            acked[u] = ("topic", f"k.{table}", o["offset"])
                    elif kind == "put_records":
                        assert body["FailedRecordCount"] == 0, body
                        for (u, _), r in zip(batch, body["Records"]):
                            acked[u] = ("stream", f"streaming-k-{table}", int(r["SequenceNumber"]))
                    else:
                        acked[batch[0][0]] = ("stream", f"streaming-k-{table}",
                                              int(body["SequenceNumber"]))
        except (OSError, http.client.HTTPException, ValueError):
            return   # the server was killed: this request is unacknowledged
        finally:
            conn.close()

    kinds = [("rest_json", "pin"), ("rest_json", "geo"), ("rest_binary", "user"),
             ("put_records", "pin"), ("put_records", "geo"), ("put_record", "user")]
    kills = 0
    for it in range(ITERATIONS):
        s = Server(d, "--flush-size", rng.choice(["5", "64", "1000"]), prefix="k")
        threads = [threading.Thread(target=client, args=(s.port, k, t, rng.random()))
                   for k, t in kinds]
        for t in threads:
            t.start()
        time.sleep(rng.uniform(0.02, 0.6))
        s.kill9()
        kills += 1
        for t in threads:
            t.join(60)
            assert not t.is_alive(), "a client hung"
    assert not answered_500, answered_500[:3]
    s = Server(d, prefix="k")
    rc, err = s.stop()
    assert rc == 0, err

    # Every acknowledged record exactly once, where its reply said; nothing twice.
    seen = {}
    for table in TABLES:
        for off, line in topic_records(d, f"k.{table}"):
            v = json.loads(line)
            u = v["index" if table == "pin" else "ind"]
            assert u not in seen, f"record {u} landed twice"
            seen[u] = ("topic", f"k.{table}", off)
        recs = stream_records(d, f"streaming-k-{table}")
        # Increasing; a recovery that cut a torn tail moves the numbers on (never reused).
        assert all(a < b for (a, _, _), (b, _, _) in zip(recs, recs[1:]))
        for q, key, payload in recs:
            v = json.loads(payload)
            u = v["index" if table == "pin" else "ind"]
            assert u not in seen, f"record {u} logged twice"
            assert key == str(u).encode()
            seen[u] = ("stream", f"streaming-k-{table}", q)
    missing = [u for u in acked if u not in seen]
    assert not missing, f"{len(missing)} acknowledged records lost, e.g. {missing[:5]}"
    moved = [u for u in acked if seen[u] != acked[u]]
    assert not moved, [(u, acked[u], seen[u]) for u in moved[:5]]
    assert set(seen) <= attempted
    unacked = set(seen) - set(acked)
    unacked_landed = "%d (%d in topics)" % (len(unacked), sum(seen[u][0] == "topic" for u in unacked))
    print(f"  {kills} kills, {len(attempted)} records posted, {len(acked)} acknowledged, "
          f"{unacked_landed} unacknowledged ones landed (their reply was cut off)")
    assert len(acked) > 500, "too few records acknowledged for the test to mean anything"

    # The landing folder is what pinetl clean and load read.
    db = os.path.join(d, "wh.db")
    for table in TABLES:
        n = len(topic_records(d, f"k.{table}"))
        sj = os.path.join(d, f"{table}.summary.json")
        p = subprocess.run([PINETL, "clean", "--table", table, "--summary-json", sj,
                            os.path.join(d, "topics")], capture_output=True, timeout=300)
        assert p.returncode == 0, p.stderr
        summary = json.load(open(sj))
        assert summary["read"] == n and summary["rejected"] == 0, summary
        p = subprocess.run([PINETL, "load", "--db", db, "--table", table, "--quiet",
                            os.path.join(d, "topics")], capture_output=True, timeout=300)
        assert p.returncode == 0, p.stderr
        con = sqlite3.connect(db)
        assert con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] == n
        con.close()


def test_kill9_loop_damaged_logs_and_recreated_landing():
    rng = random.Random(int(os.environ.get("SERVE_KILL_SEED", "7")) + 18)
    d = tempdir()
    land, db = os.path.join(d, "landing"), os.path.join(d, "wh.db")
    samples = {t: load_sample(t) for t in ("pin", "user")}
    uids = itertools.count(1)
    lock = threading.Lock()
    acked = {}          # (generation, stream, sequence number) -> uid
    gen = [0]
    quarantined = {}    # uid -> the reject that reports it
    flips = recreated = 0

    def client(port, kind, table, seed):
        crng = random.Random(seed)
        stream = f"streaming-q-{table}"
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            while True:
                n = 1 if kind == "put_record" else crng.randint(1, 40)
                with lock:
                    batch = []
                    for _ in range(n):
                        u = next(uids)
                        r = dict(crng.choice(samples[table]))
                        r["index" if table == "pin" else "ind"] = u
                        batch.append((u, r))
                if kind == "put_records":
                    conn.request("PUT", f"/streams/{stream}/records",
                                 json.dumps({"StreamName": stream, "Records": [
                                     {"Data": v, "PartitionKey": str(u)} for u, v in batch]}),
                                 {"Content-Type": "application/json"})
                else:
                    u, v = batch[0]
                    conn.request("PUT", f"/streams/{stream}/record",
                                 json.dumps({"StreamName": stream, "PartitionKey": str(u),
                                             "Data": base64.b64encode(json.dumps(v).encode())
                                             .decode()}),
                                 {"Content-Type": "application/json"})
                resp = conn.getresponse()
                body = json.loads(resp.read())
                assert resp.status == 200, body
                with lock:
                    seqs = ([int(r["SequenceNumber"]) for r in body["Records"]]
                            if kind == "put_records" else [int(body["SequenceNumber"])])
                    for (u, _), q in zip(batch, seqs):
                        acked[(gen[0], stream, q)] = u
        except (OSError, http.client.HTTPException, ValueError):
            return
        finally:
            conn.close()

    def recover():
        """Start and stop the server: its recovery quarantines damage and cuts torn tails."""
        s = Server(land, prefix="q")
        rc, err = s.stop()
        assert rc == 0, err

    def consume():
        """pinetl stream after a recovery, now and then first a --follow run killed with SIGKILL,
        then --until-idle, which must load everything (exit 0); the quarantined rejects they add
        are mapped back to the acknowledged records they stand for."""
        nonlocal consumer_kills
        recover()
        con = sqlite3.connect(db)
        before = set(con.execute("SELECT source, line FROM rejects "
                                 "WHERE reason = 'quarantined'").fetchall())
        con.close()
        if rng.random() < 0.5:
            c = subprocess.Popen([PINETL, "stream", "--landing", land, "--db", db, "--follow",
                                  "--batch-records", rng.choice(["1", "7", "100"]),
                                  "--batch-ms", "0", "--quiet"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.02, 0.4))
            c.kill()
            c.wait()
            consumer_kills += 1
        p = subprocess.run([PINETL, "stream", "--landing", land, "--db", db, "--until-idle",
                            "--batch-ms", "0"], capture_output=True, timeout=300)
        assert p.returncode == 0, p.stderr.decode()
        con = sqlite3.connect(db)
        now = set(con.execute("SELECT source, line FROM rejects "
                              "WHERE reason = 'quarantined'").fetchall())
        con.close()
        for source, line in now - before:
            stream = source.split("/")[0]
            u = acked.get((gen[0], stream, line))
            if u is not None:
                assert u not in quarantined
                quarantined[u] = (gen[0], source, line)

    # A warehouse whose tables log every row loaded, in the transactions that load them (a
    # BEFORE INSERT trigger fires for every upsert, even one that changes nothing): a record
    # loaded twice, even by consumers killed after their commit, shows as two loads of its key.
    os.makedirs(os.path.join(d, "empty"))
    subprocess.run([PINETL, "stream", "--landing", os.path.join(d, "empty"), "--db", db,
                    "--until-idle", "--quiet"], check=True, timeout=60)
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE loads(ind INTEGER NOT NULL)")
    for t in ("pin", "user"):
        con.execute(f"CREATE TRIGGER {t}_loads BEFORE INSERT ON {t} "
                    "BEGIN INSERT INTO loads VALUES(new.ind); END")
    con.commit()
    con.close()
    consumer_kills = 0

    kinds = [("put_records", "pin"), ("put_records", "user"), ("put_record", "pin")]
    iterations = max(4, ITERATIONS * 2 // 3)
    for it in range(iterations):
        s = Server(land, "--flush-size", "64", prefix="q")
        threads = [threading.Thread(target=client, args=(s.port, k, t, rng.random()))
                   for k, t in kinds]
        for t in threads:
            t.start()
        time.sleep(rng.uniform(0.05, 0.5))
        s.kill9()
        for t in threads:
            t.join(60)
            assert not t.is_alive(), "a client hung"
        if rng.random() < 0.5:
            consume()
        # A flipped byte somewhere after a log's identity frame.
        logs = glob.glob(os.path.join(land, "streams", "*", "shardId-*.log"))
        for path in logs:
            size = os.path.getsize(path)
            if size > 200 and rng.random() < 0.6:
                at = rng.randrange(72, size)
                with open(path, "r+b") as f:
                    f.seek(at)
                    b = f.read(1)
                    f.seek(at)
                    f.write(bytes([b[0] ^ (1 << rng.randrange(8))]))
                flips += 1
        if it % 4 == 3:
            # The landing folder deleted and recreated: load what it holds first; afterwards
            # pinetl stream refuses the new logs until told (--forget).
            consume()
            shutil.rmtree(land)
            gen[0] += 1
            recreated += 1
            s = Server(land, prefix="q")
            s.put_record("streaming-q-pin", {"index": next(uids), "title": "x"})
            s.stop_ok()
            p = subprocess.run([PINETL, "stream", "--landing", land, "--db", db, "--until-idle"],
                               capture_output=True, timeout=120)
            assert p.returncode == 1 and b"--forget" in p.stderr, p.stderr
            for table in ("pin", "user"):
                subprocess.run([PINETL, "stream", "--db", db, "--forget",
                                f"streaming-q-{table}/shardId-000000000000"], check=True,
                               capture_output=True, timeout=60)
    consume()

    con = sqlite3.connect(db)
    loads = dict(con.execute("SELECT ind, count(*) FROM loads GROUP BY ind").fetchall())
    con.close()
    twice = {u: n for u, n in loads.items() if n != 1}
    assert not twice, f"loaded more than once: {list(twice.items())[:5]}"
    for key, u in acked.items():
        assert (u in loads) != (u in quarantined), (key, u, u in loads, quarantined.get(u))
    print(f"  {iterations} server kills, {consumer_kills} consumer kills, {flips} flipped bytes, "
          f"{recreated} landings recreated: {len(acked)} acknowledged, {len(quarantined)} "
          f"quarantined, the rest loaded once")
    assert len(acked) > 500 and flips > 0 and recreated > 0


if __name__ == "__main__":
    run_tests(globals())
