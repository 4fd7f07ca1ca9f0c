"""Stream logs into Spark (issue 12 item 4, the Kinesis side): `pinetl serve` lands the emulator's
stream-mode posts in its stream logs, `ps.stream_logs_to_files` (pinetl.streamlog's reader over
the C API) turns what is new in them into the Kinesis-shaped files of `ps.kinesis_files`, and
`ps.stream_to_delta` (Trigger.AvailableNow, one query and one checkpoint per table) cleans them
into Delta. Half the posts, then a restart of the server, the bridge and the queries, then the
other half: the Delta tables equal a batch clean (`pinetl clean`) of the same records."""
import base64
import json
import subprocess
import sys

import deltalake

from pinetl_pipeline import source
from pinetl import spark as ps
from spark_fixtures import cli_clean
from test_delta_write import delta_rows
from test_emulate_serve import Serve
from test_spark_streaming import delta_rejects, reject_keys, _sorted

TABLES = ("pin", "geo", "user")
PREFIX = "pinetl"   # pinetl serve's default prefix (the emulator's too)


def emulate(url, db, dump, *args):
    proc = subprocess.run([sys.executable, "-m", "pinetl_pipeline.emulate", "--progress", "never",
                           "--source", str(db), "--url", url, "--mode", "stream",
                           "--prefix", PREFIX, "--dump", str(dump), *map(str, args)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def run_queries(spark, incoming, lake, checkpoints):
    for t in TABLES:
        stream = ps.kinesis_files(spark, incoming / f"streaming-{PREFIX}-{t}",
                                  maxFilesPerTrigger=1)
        query = ps.stream_to_delta(stream, t, lake, checkpoints / t, column="data",
                                   keep=["sequenceNumber"], trigger={"availableNow": True})
        query.awaitTermination()
        assert query.exception() is None


def test_stream_logs_through_spark_into_delta(spark, cli, tmp_path):
    db = tmp_path / "source.db"
    source.build(db)
    landing, incoming = tmp_path / "landing", tmp_path / "kinesis"
    lake, checkpoints = tmp_path / "lake", tmp_path / "checkpoints"
    landing.mkdir()

    # First half: one record a request, JSON Data; then serve stops (SIGTERM).
    srv = Serve(landing, tmp_path / "serve1.log")
    try:
        out = emulate(srv.url, db, tmp_path / "drawn1", "--count", 120, "--seed", 21,
                      "--concurrency", 4)
        assert "posted 360, acknowledged 360, failed 0" in out, out
    finally:
        assert srv.stop() == 0
    copied = ps.stream_logs_to_files(landing, incoming, max_records=50)
    assert copied == {(f"streaming-{PREFIX}-{t}", "shardId-000000000000"): 120 for t in TABLES}
    run_queries(spark, incoming, lake, checkpoints)
    for t in TABLES:
        n = len(delta_rows(lake / t)) + len(delta_rejects(lake / f"rejects_{t}"))
        assert n == 120, (t, n)

    # Restart: the server reopens its logs (sequence numbers go on), the bridge copies only the
    # new records, the queries resume from their checkpoints.
    srv = Serve(landing, tmp_path / "serve2.log")
    try:
        out = emulate(srv.url, db, tmp_path / "drawn2", "--count", 130, "--seed", 22,
                      "--per-request", 25, "--data", "base64")
        assert "posted 390, acknowledged 390, failed 0" in out, out
    finally:
        assert srv.stop() == 0
    copied = ps.stream_logs_to_files(landing, incoming, max_records=50)
    assert copied == {(f"streaming-{PREFIX}-{t}", "shardId-000000000000"): 130 for t in TABLES}
    assert set(ps.stream_logs_to_files(landing, incoming).values()) == {0}
    run_queries(spark, incoming, lake, checkpoints)

    for t in TABLES:
        files = sorted((incoming / f"streaming-{PREFIX}-{t}").glob("shardId-*.json"))
        lines = [json.loads(x) for f in files for x in f.read_text("utf-8").splitlines()]
        assert sorted(int(x["sequenceNumber"]) for x in lines) == list(range(1, 251))
        sent = [r for part in ("drawn1", "drawn2")
                for r in (tmp_path / part / f"{t}.jsonl").read_bytes().splitlines()]
        got = [base64.b64decode(x["data"]) for x in lines]
        assert sorted(map(json.loads, got), key=json.dumps) == \
            sorted(map(json.loads, sent), key=json.dumps)
        # The batch clean of the same records, as the logs hold them.
        path = tmp_path / f"{t}.batch.jsonl"
        path.write_bytes(b"\n".join(got) + b"\n")
        rows, rejects = cli_clean(cli, t, path, tmp_path)
        assert _sorted(delta_rows(lake / t)) == _sorted(rows)
        assert len(rows) + len(rejects) == 250
        assert reject_keys(delta_rejects(lake / f"rejects_{t}")) == reject_keys(rejects)
        # Two runs of AvailableNow over 3 + 3 files (maxFilesPerTrigger=1): batches 0..5,
        # each committed once to Delta with its batch id as the transaction version.
        txn = deltalake.DeltaTable(str(lake / t)).transaction_version(f"pinetl:{t}")
        assert txn == 5, (t, txn)
