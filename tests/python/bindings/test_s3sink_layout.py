"""The Kafka Connect S3 sink layout is C's (pinetl.s3sink, <pinetl/s3sink.h>): the Kafka sink
names its objects with it, and the daily chain, `pinetl clean` and the Databricks job's globs list
the same objects, bare topics ("pin") and prefixed ones ("0a1b.pin") alike. Before, the daily chain
counted topics/pin/partition=0/pin+0+0000000000.json while the clean read 0 records from it."""
import glob
import json
import os
import sqlite3

import pytest

import pinetl
from pinetl import s3sink
from pinetl_pipeline import airflow as pa
from pinetl_pipeline import databricks_jobs as jobs
from conftest import SAMPLE

TABLES = pinetl.tables()


def _lines(table):
    return [x for x in (SAMPLE / f"{table}.jsonl").read_bytes().splitlines() if x.strip()]


def _land(root, topic, partition, lines, per_object=1000):
    """Objects of a topic partition, named by C, per_object records each."""
    part = root / s3sink.partition_dir(topic, partition)
    part.mkdir(parents=True, exist_ok=True)
    for start in range(0, len(lines), per_object):
        (part / s3sink.object_name(topic, partition, start)).write_bytes(
            b"\n".join(lines[start:start + per_object]) + b"\n")


def test_bare_topic_is_read_by_the_daily_chain_and_the_clean(tmp_path, cli):
    day = tmp_path / "date=2024-01-01"
    for t in TABLES:
        _land(day, t, 0, _lines(t))
    assert (day / "topics/pin/partition=0/pin+0+0000000000.json").is_file()
    out = cli("clean", "-t", "pin", day)
    assert len(out.stdout.splitlines()) == len(_lines("pin"))
    summary = pa.load_task("2024-01-01", tmp_path, tmp_path / "wh.db", tmp_path / "out")
    for t in TABLES:
        assert summary["tables"][t]["read"] == len(_lines(t)), t
        assert summary["tables"][t]["cleaned"] == len(_lines(t)), t
    landing = pa.landing_task("2024-01-01", tmp_path)
    assert landing["tables"]["pin"]["files"] == 3   # 2262 records, 1000 per object


def test_names_come_from_c():
    assert s3sink.partition_dir("0a1b.pin", 3) == "topics/0a1b.pin/partition=3"
    assert s3sink.object_name("pin", 0, 42) == "pin+0+0000000042.json"
    assert s3sink.parse_object_name("0a1b.geo+7+0000000010.json") == ("0a1b.geo", 7, 10)
    assert s3sink.parse_object_name(".0a1b.geo+7+10.json.tmp") is None
    assert s3sink.topic_table("0a1b.user") == "user"
    assert s3sink.topic_table("user") == "user"
    assert s3sink.topic_table("users") is None
    with pytest.raises(pinetl.errors.InvalidArgumentError, match="a b"):
        s3sink.check_topic("a b")


def test_kafka_sink_names_objects_as_c_does(tmp_path):
    from pinetl_pipeline import kafka
    assert kafka.object_name("t.pin", 2, 5) == s3sink.object_name("t.pin", 2, 5)
    assert kafka.partition_dir(str(tmp_path), "t.pin", 2) == str(tmp_path / "topics/t.pin/partition=2")
    _land(tmp_path, "t.pin", 2, _lines("pin")[:30], per_object=10)
    (tmp_path / "topics/t.pin/partition=2/notes.txt").write_text("x")
    (tmp_path / "topics/t.pin/partition=2/t.pin+3+0.json").write_text("{}\n")
    assert [s for s, _ in kafka.landed_files(str(tmp_path), "t.pin", 2)] == [0, 10, 20]
    assert kafka.next_offset_from_files(str(tmp_path), "t.pin", 2) == 30
    with pytest.raises(ValueError, match="invalid topic name"):
        kafka.topic_name("a/b", "pin")


def test_listers_agree(tmp_path):
    """The C listing (the clean's and the daily chain's) and the Databricks job's globs find the
    same objects; files outside the layout are in neither."""
    lines = _lines("geo")[:40]
    _land(tmp_path, "geo", 0, lines, per_object=10)
    _land(tmp_path, "0a1b.geo", 1, lines, per_object=15)
    _land(tmp_path, "0a1b.pin", 0, _lines("pin")[:5])
    (tmp_path / "topics/geo/partition=0/stray.json").write_text("{}\n")
    paths, notices = s3sink.list_objects(tmp_path, "geo")
    assert "stray.json" in notices
    found = {p for g in jobs.landing_glob(str(tmp_path), "geo") for p in glob.glob(g)}
    assert sorted(found) == sorted(paths)
    assert len(paths) == 4 + 3
    assert pa._table_files(str(tmp_path), "geo") == paths


def test_daily_ledger_is_the_warehouse_s(tmp_path):
    wh_path = tmp_path / "wh.db"
    with pinetl.Warehouse(wh_path) as wh:
        assert wh.daily_loads() == []
        wh.put_daily_load("2024-01-02", "geo", "f", files=1, bytes=2, read=3, cleaned=2,
                          rejected=1, rejected_by_reason={"bad_key": 1}, written=2)
        with pytest.raises(pinetl.errors.InvalidArgumentError, match="YYYY-MM-DD"):
            wh.put_daily_load("2024-1-2", "geo", "f", files=1, bytes=2, read=3, cleaned=2,
                              rejected=1, rejected_by_reason={}, written=2)
    assert pa.accounting(str(wh_path)) == [
        {"day": "2024-01-02", "table": "geo", "fingerprint": "f", "files": 1, "bytes": 2,
         "read": 3, "cleaned": 2, "rejected": 1, "rejected_by_reason": {"bad_key": 1},
         "written": 2}]
    assert pa.accounting(str(wh_path), until="2024-01-01") == []


def test_ledger_of_an_earlier_release_is_used(tmp_path):
    """A warehouse whose ledger the Python daily chain of an earlier release wrote (through
    sqlite3): the same table, read and extended as it is."""
    wh_path = tmp_path / "old.db"
    with pinetl.Warehouse(wh_path):
        pass
    con = sqlite3.connect(wh_path)
    con.execute("CREATE TABLE IF NOT EXISTS pinetl_daily_load(day TEXT NOT NULL,"
                " \"table\" TEXT NOT NULL, fingerprint TEXT NOT NULL, files INTEGER NOT NULL,"
                " bytes INTEGER NOT NULL, read INTEGER NOT NULL, cleaned INTEGER NOT NULL,"
                " rejected INTEGER NOT NULL, rejected_by_reason TEXT NOT NULL,"
                " written INTEGER NOT NULL, PRIMARY KEY(day, \"table\"))")
    con.execute("INSERT INTO pinetl_daily_load VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                ("2023-12-31", "pin", "abc", 2, 10, 4, 3, 1,
                 json.dumps({"invalid_json": 1}, sort_keys=True), 3))
    con.commit()
    con.close()
    rows = pa.accounting(str(wh_path))
    assert rows == [{"day": "2023-12-31", "table": "pin", "fingerprint": "abc", "files": 2,
                     "bytes": 10, "read": 4, "cleaned": 3, "rejected": 1,
                     "rejected_by_reason": {"invalid_json": 1}, "written": 3}]


def test_pipeline_asks_c_for_the_tables():
    from pinetl_pipeline import kafka, report, source
    for module in (pa, jobs, kafka, report):
        assert tuple(module.TABLES) == tuple(TABLES), module.__name__
    assert source.TABLE_NAMES == tuple(TABLES)
    assert "sqlite3" not in open(pa.__file__, encoding="utf-8").read()
