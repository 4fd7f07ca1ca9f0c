"""Spark Structured Streaming into Delta with pinetl.spark (issue 12): a file source of
Kinesis-shaped records (the local stand-in for the Kinesis source), one query and one checkpoint
per table, Trigger.AvailableNow; a stop and restart mid-stream and a crash between the Delta
commits and the checkpoint's commit leave Delta equal to a batch clean of the same records."""
import base64
import json
import os
import pathlib

import deltalake

from pinetl import spark as ps
from spark_fixtures import cli_clean
from test_delta_write import delta_rows

ROOT = pathlib.Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "tests" / "data" / "real-sample"
BAD = [b'{"ind": "x1"}', b'not json', b'{"ind": 5, "country": "caf\xff"}', b'"just text"']


def records(table, n, bad_every=0):
    """n records of the real sample, with a bad one every bad_every records."""
    lines = (SAMPLE / f"{table}.jsonl").read_bytes().splitlines()[:n]
    if bad_every:
        for i in range(0, n, bad_every):
            lines[i] = BAD[(i // bad_every) % len(BAD)]
    return lines


def write_kinesis_file(folder, name, stream, recs, first_seq):
    """One file of Kinesis-shaped records (data base64), written aside then renamed into folder."""
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder.parent / f".{name}.tmp"
    with open(tmp, "w") as f:
        for i, rec in enumerate(recs):
            f.write(json.dumps({"streamName": stream, "partitionKey": f"k{i % 3}",
                                "sequenceNumber": f"{first_seq + i:021d}",
                                "data": base64.b64encode(rec).decode("ascii")}) + "\n")
    os.rename(tmp, folder / name)


def expected(cli, table, recs, tmp_path):
    """The batch clean of the same records: `pinetl clean` on them, one record per line."""
    path = tmp_path / f"{table}.batch.jsonl"
    path.write_bytes(b"\n".join(recs) + b"\n")
    rows, rejects = cli_clean(cli, table, path, tmp_path)
    return rows, rejects


def reject_keys(rejects):
    return sorted((r["reason"], r["message"], r.get("raw"), r.get("raw_base64")) for r in rejects)


def delta_rejects(uri):
    out = []
    for r in deltalake.DeltaTable(str(uri)).to_pyarrow_table().to_pylist():
        out.append({k: v for k, v in r.items() if v is not None})
    return out


def _sorted(rows):
    return sorted(rows, key=lambda r: (r["ind"], json.dumps(r, sort_keys=True)))


def test_file_source_stream_into_delta_survives_a_restart_and_a_crash(spark, cli, tmp_path):
    table = "pin"
    incoming = tmp_path / "kinesis" / "streaming-pin"
    lake, checkpoint = tmp_path / "lake", tmp_path / "checkpoints" / table
    recs = records(table, 160, bad_every=16)
    for i in range(2):
        write_kinesis_file(incoming, f"part-{i:04d}.json", "streaming-pin",
                           recs[i * 40:(i + 1) * 40], 1 + i * 40)

    def run():
        stream = ps.kinesis_files(spark, incoming, maxFilesPerTrigger=1)
        query = ps.stream_to_delta(stream, table, lake, checkpoint, column="data",
                                   keep=["sequenceNumber"], trigger={"availableNow": True})
        query.awaitTermination()
        assert query.exception() is None
        return query

    run()                                               # batches 0 and 1, then the query ends
    assert len(delta_rows(lake / table)) + len(delta_rejects(lake / f"rejects_{table}")) == 80
    # A crash after batch 1's Delta commits but before the checkpoint recorded it: on restart
    # Spark runs batch 1 again; its Delta writes are skipped (same txnAppId and txnVersion).
    for name in ("1", ".1.crc"):                       # the commit file and its checksum
        (checkpoint / "commits" / name).unlink(missing_ok=True)
    for i in range(2, 4):                               # more records arrive meanwhile
        write_kinesis_file(incoming, f"part-{i:04d}.json", "streaming-pin",
                           recs[i * 40:(i + 1) * 40], 1 + i * 40)
    run()                                               # batch 1 again, then 2 and 3
    rows, rejects = expected(cli, table, recs, tmp_path)
    assert _sorted(delta_rows(lake / table)) == _sorted(rows)
    got = delta_rejects(lake / f"rejects_{table}")
    assert reject_keys(got) == reject_keys(rejects) and len(got) == 10
    assert sorted(int(r["sequenceNumber"]) for r in got) == [1 + i for i in range(0, 160, 16)]
    txn = deltalake.DeltaTable(str(lake / table)).transaction_version("pinetl:pin")
    assert txn == 3
    assert sorted(n for n in os.listdir(checkpoint / "commits") if not n.startswith(".")) == \
        ["0", "1", "2", "3"]
