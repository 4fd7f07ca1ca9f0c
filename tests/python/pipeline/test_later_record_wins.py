"""One `ind` in two files, and in two micro-batches: every engine keeps the same row, the later one
by position (SPEC.md, "Later": the later source, then the larger offset within it). The engines:
the SQLite warehouse (`pinetl load`), pinetl.delta's merge, pinetl.spark.latest, and the
Databricks batch job (pinetl_pipeline.databricks_jobs.batch_job).

The later file is the larger one on purpose: Spark packs files into tasks largest first, so an
engine that follows Spark's partition order (or keeps any one row, as dropDuplicates does) keeps
the older record here."""
import os
import sqlite3

import deltalake

import pinetl
from pinetl_pipeline import databricks_jobs as jobs
from pinetl import delta
from pinetl import spark as ps

TOPIC = "0a1b2c.geo"
# First source: ind 7 and 9. Second source, larger: ind 7 again, ind 8 twice (the second at the
# larger offset wins), and padding rows.
FIRST = [{"ind": 7, "country": "older"}, {"ind": 9, "country": "only-first"}]
SECOND = ([{"ind": 7, "country": "later"}, {"ind": 8, "country": "8-earlier"}] +
          [{"ind": 100 + i, "country": f"pad-{i:03d}"} for i in range(40)] +
          [{"ind": 8, "country": "8-later"}])
WANT = {7: "later", 8: "8-later", 9: "only-first",
        **{100 + i: f"pad-{i:03d}" for i in range(40)}}


def _lines(records):
    import json
    return b"".join(json.dumps(r).encode() + b"\n" for r in records)


def _sink_object(landing, start, records, mtime):
    """<landing>/topics/<TOPIC>/partition=0/<TOPIC>+0+<start>.json, written aside then renamed
    in, with modification time mtime (a file stream source takes files in that order)."""
    folder = os.path.join(landing, "topics", TOPIC, "partition=0")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"{TOPIC}+0+{start:010d}.json")
    with open(path + ".tmp", "wb") as f:
        f.write(_lines(records))
    os.utime(path + ".tmp", (mtime, mtime))
    os.rename(path + ".tmp", path)
    return path


def _warehouse(db):
    with sqlite3.connect(db) as con:
        return dict(con.execute("SELECT ind, country FROM geo"))


def _delta(uri):
    t = deltalake.DeltaTable(str(uri)).to_pyarrow_table(columns=["ind", "country"])
    return dict(zip(t.column("ind").to_pylist(), t.column("country").to_pylist()))


def _spark(df):
    return {r.ind: r.country for r in df.select("ind", "country").collect()}


def test_one_ind_in_two_files_is_the_later_row_in_every_engine(spark, cli, tmp_path):
    landing = str(tmp_path / "landing")
    first = _sink_object(landing, 0, FIRST, 1_700_000_000)
    _sink_object(landing, len(FIRST), SECOND, 1_700_000_100)
    assert os.path.getsize(first) < os.path.getsize(first.replace("+0000000000", "+0000000002"))

    db = tmp_path / "wh.db"
    cli("load", "--db", db, "--table", "geo", landing)
    uri = tmp_path / "delta-rs" / "geo"
    delta.write(uri, "geo", pinetl.arrow.read_json(landing, "geo", strings="large_string").rows,
                mode="merge")
    latest = ps.latest(ps.clean_files(spark, jobs.landing_glob(landing, "geo")[0], "geo"))
    delta_root = str(tmp_path / "databricks")
    jobs.batch_job(spark, landing, delta_root, tables=("geo",))

    got = {"warehouse": _warehouse(db), "pinetl.delta": _delta(uri),
           "pinetl.spark.latest": _spark(latest),
           "databricks batch job": _spark(spark.read.format("delta").load(
               jobs.table_path(delta_root, "geo")))}
    assert got == {engine: WANT for engine in got}
    assert latest.columns == [name for name, _ in pinetl.columns("geo")]  # positions dropped


def test_one_ind_in_two_micro_batches_is_the_later_row_in_every_engine(spark, cli, tmp_path):
    batches = [str(tmp_path / f"batch-{i}") for i in range(2)]
    _sink_object(batches[0], 0, FIRST, 1_700_000_000)
    _sink_object(batches[1], len(FIRST), SECOND, 1_700_000_100)

    db = tmp_path / "wh.db"
    uri = tmp_path / "delta-rs" / "geo"
    delta_root = str(tmp_path / "databricks")
    for landing in batches:                  # each engine takes the batches one after the other
        cli("load", "--db", db, "--table", "geo", landing)
        delta.write(uri, "geo", pinetl.arrow.read_json(landing, "geo", strings="large_string").rows,
                    mode="merge")
        jobs.batch_job(spark, landing, delta_root, tables=("geo",))

    # Spark Structured Streaming: both objects in one folder, one file per micro-batch (in
    # modification time order), appended to Delta with their micro-batch as source.
    stream_in = tmp_path / "stream-in"
    stream_in.mkdir()
    for i, landing in enumerate(batches):
        for base, _, files in os.walk(landing):
            for name in files:
                os.link(os.path.join(base, name), stream_in / name)
    lake = tmp_path / "lake"
    stream = spark.readStream.format("text").option("maxFilesPerTrigger", 1).load(str(stream_in))
    query = ps.stream_to_delta(stream, "geo", lake, tmp_path / "checkpoint", column="value",
                               trigger={"availableNow": True}, positions=True)
    query.awaitTermination()
    assert query.exception() is None
    appended = spark.read.format("delta").load(str(lake / "geo"))
    assert appended.count() == len(FIRST) + len(SECOND)
    assert appended.select("_source").distinct().count() == 2       # two micro-batches

    got = {"warehouse": _warehouse(db), "pinetl.delta": _delta(uri),
           "pinetl.spark.latest": _spark(ps.latest(appended)),
           "databricks batch job": _spark(spark.read.format("delta").load(
               jobs.table_path(delta_root, "geo")))}
    assert got == {engine: WANT for engine in got}
