"""pinetl stream --metrics-file (issue 21 item 3): a node-exporter textfile, parsed with
prometheus_client's parser, whose counters match what was loaded: records per shard and in all,
batches (as --stats-json says), the commit latency histogram (one observation per batch), and
the lag per shard while a micro-batch is open (records read, not committed; bytes of the log after
the committed position). See docs/operating.md."""
import json
import os
import signal
import subprocess
import time

import pytest

from serve_pytest import no_server_left  # noqa: F401 (sets $PINETL; an autouse fixture)
from serve_pytest import samples, value
from serve_helpers import PINETL, Server, tempdir

# Starts pinetl serve.
pytestmark = pytest.mark.service


def parse(path):
    with open(path) as f:
        return samples(f.read())


SHARD = "shardId-000000000000"


def fill(landing, counts):
    """Puts counts[stream] records (valid pins) into each stream through pinetl serve."""
    s = Server(landing)
    for stream, n in counts.items():
        for start in range(0, n, 100):
            recs = [{"index": i, "unique_id": f"u{i}", "title": "t"}
                    for i in range(start, min(n, start + 100))]
            st, _, body = s.put_records(stream, recs)
            assert st == 200 and body["FailedRecordCount"] == 0, body
    s.stop_ok()


def test_stream_metrics_file_counts_what_was_loaded():
    d = tempdir()
    landing, db, mfile, stats = (os.path.join(d, n) for n in ("l", "w.db", "m.prom", "s.json"))
    counts = {"streaming-t-pin": 250, "streaming-t-geo": 120}
    fill(landing, counts)
    p = subprocess.run([PINETL, "stream", "--landing", landing, "--db", db, "--until-idle",
                        "--batch-records", "100", "--metrics-file", mfile, "--stats-json", stats,
                        "-q"], capture_output=True, timeout=120)
    assert p.returncode == 0, p.stderr
    m = parse(mfile)
    with open(stats) as f:
        st = json.load(f)
    total = sum(counts.values())
    assert value(m, "pinetl_stream_records_committed_total") == total == st["records"]
    assert value(m, "pinetl_stream_rejects_committed_total") == st["rejects"]
    assert value(m, "pinetl_stream_batches_total") == st["batches"] >= total // 100
    assert value(m, "pinetl_stream_shards") == 3
    assert value(m, "pinetl_stream_commit_latency_seconds_count") == st["batches"]
    for stream, n in counts.items():
        assert value(m, "pinetl_stream_shard_records_committed_total", stream=stream,
                     shard=SHARD) == n
        assert value(m, "pinetl_stream_shard_lag_records", stream=stream, shard=SHARD) == 0
        assert value(m, "pinetl_stream_shard_lag_bytes", stream=stream, shard=SHARD) == 0
    # One series per shard in each per-shard family (value() reads 0 for a missing one).
    for family in ("pinetl_stream_shard_records_committed_total",
                   "pinetl_stream_shard_lag_records", "pinetl_stream_shard_lag_bytes"):
        assert sorted(dict(labels)["stream"] for name, labels in m if name == family) == [
            "streaming-t-geo", "streaming-t-pin", "streaming-t-user"], family
    assert value(m, "pinetl_stream_last_commit_timestamp_seconds") > time.time() - 300
    # Written by rename: no temporary file is left beside it.
    assert sorted(os.listdir(d)) == ["l", "m.prom", "s.json", "w.db", "w.db.stream-lock"]


def test_stream_metrics_file_shows_the_lag_of_an_open_batch():
    d = tempdir()
    landing, db, mfile = (os.path.join(d, n) for n in ("l", "w.db", "m.prom"))
    fill(landing, {"streaming-t-user": 40})
    log = os.path.join(landing, "streams", "streaming-t-user", SHARD + ".log")
    # A batch that is due only in 10 minutes: the records are read, not committed.
    proc = subprocess.Popen([PINETL, "stream", "--landing", landing, "--db", db, "--follow",
                             "--batch-ms", "600000", "--metrics-file", mfile, "-q"],
                            stderr=subprocess.PIPE)
    try:
        deadline, m = time.time() + 60, None
        while time.time() < deadline:
            if os.path.exists(mfile):
                m = parse(mfile)
                if value(m, "pinetl_stream_shards") == 3 and value(
                        m, "pinetl_stream_shard_lag_records", stream="streaming-t-user",
                        shard=SHARD) == 40:
                    break
            time.sleep(0.1)
        assert value(m, "pinetl_stream_shard_lag_records", stream="streaming-t-user",
                     shard=SHARD) == 40, m
        # Nothing committed yet: the whole log is behind the position.
        assert value(m, "pinetl_stream_shard_lag_bytes", stream="streaming-t-user",
                     shard=SHARD) == os.path.getsize(log)
        assert value(m, "pinetl_stream_records_committed_total") == 0
        assert value(m, "pinetl_stream_batches_total") == 0
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)
        err = proc.stderr.read().decode()
        proc.stderr.close()
    # SIGTERM commits the open batch; the last file says so.
    assert proc.returncode == 0, err
    m = parse(mfile)
    assert value(m, "pinetl_stream_records_committed_total") == 40
    assert value(m, "pinetl_stream_batches_total") == 1
    assert value(m, "pinetl_stream_commit_latency_seconds_count") == 1
    assert value(m, "pinetl_stream_shard_lag_records", stream="streaming-t-user", shard=SHARD) == 0
    assert value(m, "pinetl_stream_shard_lag_bytes", stream="streaming-t-user", shard=SHARD) == 0


def test_stream_metrics_file_in_a_missing_folder_stops_the_run():
    d = tempdir()
    fill(os.path.join(d, "l"), {"streaming-t-pin": 1})
    p = subprocess.run([PINETL, "stream", "--landing", os.path.join(d, "l"), "--db",
                        os.path.join(d, "w.db"), "--until-idle", "--metrics-file",
                        os.path.join(d, "no", "such", "m.prom")], capture_output=True, timeout=60)
    assert p.returncode == 1 and b"metrics file" in p.stderr and b"no/such" in p.stderr, p.stderr
