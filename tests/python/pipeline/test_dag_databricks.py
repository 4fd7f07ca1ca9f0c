"""The Databricks notebook's jobs (pinetl_pipeline.databricks_jobs, which
examples/databricks/pinterest_notebook.py calls) on the local Spark session with Delta (the
`spark` fixture of tests/python/spark_fixtures.py), with small inputs: the batch job into Delta
tables (a re-run changes nothing and adds no table version; a changed day is merged), the
streaming job with one checkpoint per stream (restart resumes; a replayed micro-batch is not
appended twice)."""
import base64
import os
import pathlib

import pinetl
from pinetl_pipeline import databricks_jobs as jobs
from pipeline_fixtures import BAD_LINES, day_s3_sink, sample_lines

NOTEBOOK = pathlib.Path(__file__).resolve().parents[3] / "examples" / "databricks" / \
    "pinterest_notebook.py"


# Every bad line, the invalid UTF-8 one too: Spark's text source hands its bytes over unchecked
# and its reject keeps them (raw_base64).
BAD = list(BAD_LINES)
NOT_UTF8 = [line for line in BAD_LINES if line.endswith(b'"\xff\xfe"}')]
assert len(NOT_UTF8) == 1


# Two of the three tables keep the Spark runs short; each has its own query and checkpoint.
SPARK_TABLES = ("geo", "user")


def rows(spark, path, order="ind"):
    return [tuple(r) for r in spark.read.format("delta").load(path).orderBy(order).collect()]


def test_notebook_is_databricks_source_calling_the_jobs_module():
    text = NOTEBOOK.read_text()
    assert text.startswith("# Databricks notebook source\n")
    cells = text.split("\n# COMMAND ----------\n")
    assert len(cells) >= 5
    code = "\n".join(c for c in cells if not c.lstrip().startswith("# MAGIC"))
    assert "from pinetl_pipeline import databricks_jobs as jobs" in code
    for call in ("jobs.batch_job(", "jobs.stream_job(", "jobs.kinesis_source("):
        assert call in code
    compile(text.replace("dbutils", "_dbutils"), str(NOTEBOOK), "exec")  # valid Python


def test_batch_job_cleans_the_s3_sink_copy_into_delta_idempotently(spark, tmp_path):
    lines = {t: sample_lines(t)[:150] + BAD + sample_lines(t)[:20] for t in SPARK_TABLES}
    landing = day_s3_sink(str(tmp_path / "landing"), "2024-01-01", lines, per_object=60)
    delta = str(tmp_path / "delta")
    counts = jobs.batch_job(spark, landing, delta, tables=SPARK_TABLES)
    assert set(counts) == set(SPARK_TABLES)
    for t in SPARK_TABLES:
        # the objects' bytes, read as `pinetl load` reads them (a line holding an array is its
        # elements)
        want = pinetl.clean_json(b"\n".join(lines[t]) + b"\n", t)
        assert counts[t] == {"read": want.stats["read"], "cleaned": want.stats["cleaned"],
                             "rejected": want.stats["rejected"], "merged": True}
        got = rows(spark, jobs.table_path(delta, t))
        assert [r[0] for r in got] == sorted(set(int(i) for i in want.rows["ind"]))
    def rejects(t):
        return sorted(tuple(r) for r in spark.read.format("delta").load(
            jobs.table_path(delta, f"rejects_{t}")).collect())

    for t in SPARK_TABLES:
        assert len(rejects(t)) == counts[t]["rejected"]
        assert {r[4] for r in rejects(t)} == {"invalid_json", "bad_key", "not_an_object",
                                              "invalid_utf8"}
        # table, source, line, offset, reason, message, raw, raw_base64
        assert [(r[6], r[7]) for r in rejects(t) if r[4] == "invalid_utf8"] == \
            [(None, base64.b64encode(NOT_UTF8[0]).decode("ascii"))]
    before = {t: (rows(spark, jobs.table_path(delta, t)), rejects(t)) for t in SPARK_TABLES}
    versions = _versions(spark, delta)
    assert jobs.batch_job(spark, landing, delta, tables=SPARK_TABLES) == {
        t: {**counts[t], "merged": False} for t in SPARK_TABLES}
    after = {t: (rows(spark, jobs.table_path(delta, t)), rejects(t)) for t in SPARK_TABLES}
    assert after == before
    # The re-run of the same day added no version to any table (before, each MERGE rewrote every
    # matched row: numTargetRowsUpdated 49, one version a day).
    assert _versions(spark, delta) == versions


def _versions(spark, delta_root):
    """{table folder: its Delta history as (version, operation, userMetadata)}."""
    from delta.tables import DeltaTable
    out = {}
    for name in sorted(os.listdir(delta_root)):
        history = DeltaTable.forPath(spark, os.path.join(delta_root, name)).history()
        out[name] = sorted(tuple(r) for r in history.select(
            "version", "operation", "userMetadata").collect())
    return out


def test_batch_job_merges_a_day_whose_objects_changed(spark, tmp_path):
    """The re-run guard is the input's fingerprint, not the day: an object added to a day that
    was merged is merged on the next run (one new version of that table and no other: not its
    rejects' table, whose input did not change)."""
    lines = {"geo": sample_lines("geo")[:40], "user": sample_lines("user")[:40]}
    landing = day_s3_sink(str(tmp_path / "landing"), "2024-01-01", lines)
    delta = str(tmp_path / "delta")
    jobs.batch_job(spark, landing, delta, tables=SPARK_TABLES)
    versions = _versions(spark, delta)
    part = os.path.join(landing, "topics", "0a1b2c.geo", "partition=0")
    with open(os.path.join(part, "0a1b2c.geo+0+0000000040.json"), "wb") as f:
        f.write(b"\n".join(sample_lines("geo")[40:50]) + b"\n")
    counts = jobs.batch_job(spark, landing, delta, tables=SPARK_TABLES)
    assert {t: c["merged"] for t, c in counts.items()} == {"geo": True, "user": False}
    after = _versions(spark, delta)
    assert len(after["geo"]) == len(versions["geo"]) + 1
    assert after["geo"][-1][1] == "MERGE" and after["geo"][-1][2].startswith(
        "pinetl.batch_job input geo ")
    assert {k: v for k, v in after.items() if k != "geo"} == {
        k: v for k, v in versions.items() if k != "geo"}
    want = pinetl.clean_json(sample_lines("geo")[:50], "geo")
    assert [r[0] for r in rows(spark, jobs.table_path(delta, "geo"))] == sorted(
        set(int(i) for i in want.rows["ind"]))


def _drop(folder, name, lines):
    """Writes a file next to folder and renames it in, as a file-source producer must."""
    os.makedirs(folder, exist_ok=True)
    tmp = os.path.join(os.path.dirname(folder), f".{name}.tmp")
    with open(tmp, "wb") as f:
        f.write(b"\n".join(lines) + b"\n")
    os.rename(tmp, os.path.join(folder, name))


def test_stream_job_one_checkpoint_per_stream_restart_and_replay(spark, tmp_path):
    src = {t: str(tmp_path / "streams" / t) for t in SPARK_TABLES}
    delta, ckpt = str(tmp_path / "delta"), str(tmp_path / "checkpoints")
    first = {t: sample_lines(t)[:80] for t in SPARK_TABLES}
    second = {t: sample_lines(t)[80:130] + BAD[:1] for t in SPARK_TABLES}

    def run_once():
        sources = {t: jobs.file_source(spark, src[t]) for t in SPARK_TABLES}
        queries = jobs.stream_job(spark, sources, delta, ckpt, available_now=True)
        for q in queries.values():
            q.awaitTermination()
            assert q.exception() is None

    for t in SPARK_TABLES:
        _drop(src[t], "part-0001.jsonl", first[t])
    run_once()
    for t in SPARK_TABLES:
        _drop(src[t], "part-0002.jsonl", second[t])
    run_once()  # a restart: each query resumes from its own checkpoint
    assert sorted(os.listdir(ckpt)) == sorted(SPARK_TABLES)
    for t in SPARK_TABLES:
        want = pinetl.clean_json(first[t] + second[t], t)
        got = spark.read.format("delta").load(jobs.table_path(delta, t))
        assert got.count() == want.stats["cleaned"]  # every record once: no gap, no duplicate
        assert sorted(r[0] for r in got.select("ind").collect()) == sorted(
            int(i) for i in want.rows["ind"])
        rej = spark.read.format("delta").load(jobs.table_path(delta, f"rejects_{t}"))
        assert rej.count() == want.stats["rejected"] == 1

    # A micro-batch replayed with the same id (as after a crash before the checkpoint commit)
    # is skipped by Delta's application transaction; a new id is appended.
    frame = spark.createDataFrame([(line.decode(),) for line in first["geo"][:10]], "value STRING")
    write = jobs.append_batch("geo", str(tmp_path / "replay"), "replay-geo")
    path = jobs.table_path(str(tmp_path / "replay"), "geo")
    write(frame, 0)
    write(frame, 0)
    assert spark.read.format("delta").load(path).count() == 10
    write(frame, 1)
    assert spark.read.format("delta").load(path).count() == 20
