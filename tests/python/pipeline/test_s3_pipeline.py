"""The pipeline on an S3 bucket (the S3-compatible test server, s3s-fs): Delta tables written to
s3:// by delta-rs equal the local ones, Spark reads the bucket's landing and Delta tables through
s3a://, the daily chain finds an s3:// landing as it finds a folder, and the whole daily chain
(`pinetl-daily --landing s3://... --delta s3://...`) equals the local run.

Reading landing *records* from s3:// is the C reader's (pinetl.read_json, Warehouse.load); the
tests that load or clean an s3:// landing need it."""
import json
import os
import pathlib
import subprocess
import sys

import pytest

import pinetl
from pinetl import delta as pdelta
from pinetl_pipeline import airflow as pa
from pinetl_pipeline import daily
from pipeline_fixtures import TABLES, day_s3_sink, sample_lines, snapshot, two_days

HERE = pathlib.Path(__file__).resolve().parent


def upload_tree(s3_bucket, folder, prefix):
    """Puts every file under folder into the bucket under prefix (same relative names)."""
    for root, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(root, name)
            key = f"{prefix}/{os.path.relpath(path, folder)}"
            with open(path, "rb") as f:
                s3_bucket.client.put_object(Bucket=s3_bucket.name, Key=key, Body=f.read())


def delta_rows(uri, **kw):
    import deltalake
    t = deltalake.DeltaTable(uri, **kw).to_pyarrow_table()
    key = "ind" if "ind" in t.column_names else "line"
    return sorted(t.to_pylist(), key=lambda r: (str(r.get("source")), r[key]))


# ---- Delta on s3:// (delta-rs) ------------------------------------------------------------

def test_delta_on_s3_equals_the_local_delta_table_row_for_row(s3_bucket, tmp_path, sample):
    for table in TABLES:
        local = pdelta.clean_to_delta([str(sample(table))], table, str(tmp_path / table),
                                      rejects_uri=str(tmp_path / f"rejects_{table}"),
                                      app_id="t", version=1)
        remote = pdelta.clean_to_delta([str(sample(table))], table, s3_bucket.uri("lake", table),
                                       rejects_uri=s3_bucket.uri("lake", f"rejects_{table}"),
                                       app_id="t", version=1)
        assert local == remote and remote["written"] is True
        opts = pdelta.resolve_storage_options(s3_bucket.uri("lake", table))
        assert delta_rows(s3_bucket.uri("lake", table), storage_options=opts) == \
            delta_rows(str(tmp_path / table))
        assert 0 < len(delta_rows(str(tmp_path / table))) <= remote["cleaned"]  # one per ind
    # The table is a Delta table in the bucket: its log's first entry is an object there.
    assert "lake/pin/_delta_log/00000000000000000000.json" in s3_bucket.keys("lake/pin/")
    # A re-run of the same version is skipped on S3 as locally (the application transaction).
    again = pdelta.clean_to_delta([str(sample("pin"))], "pin", s3_bucket.uri("lake", "pin"),
                                  app_id="t", version=1)
    assert again["written"] is False
    assert pdelta.committed_version(s3_bucket.uri("lake", "pin"), "t") == 1


def test_delta_on_s3_commits_with_conditional_put_not_unsafe_rename(s3_bucket, monkeypatch):
    uri = s3_bucket.uri("t")
    opts = pdelta.resolve_storage_options(uri)
    assert opts["aws_conditional_put"] == "etag"
    assert "AWS_S3_ALLOW_UNSAFE_RENAME" not in {k.upper() for k in opts}
    assert opts["AWS_ENDPOINT_URL"] == s3_bucket.server.endpoint
    assert opts["AWS_ALLOW_HTTP"] == "true" and opts["AWS_REGION"] == "us-east-1"
    assert s3_bucket.server.secret_key not in json.dumps(opts)       # no secret copied
    # The server refuses to create a log entry that exists (what conditional put relies on).
    s3_bucket.client.put_object(Bucket=s3_bucket.name, Key="t/x.json", Body=b"1")
    import botocore.exceptions
    with pytest.raises(botocore.exceptions.ClientError, match="PreconditionFailed"):
        s3_bucket.client.put_object(Bucket=s3_bucket.name, Key="t/x.json", Body=b"2",
                                    IfNoneMatch="*")
    # A DynamoDB locking provider, when configured, is left to decide; local tables untouched.
    monkeypatch.setenv("AWS_S3_LOCKING_PROVIDER", "dynamodb")
    assert "aws_conditional_put" not in pdelta.resolve_storage_options(uri)
    assert pdelta.resolve_storage_options("/tmp/lake/pin", {"a": "b"}) == {"a": "b"}


def test_delta_on_s3_a_stale_writer_loses_no_commit(s3_bucket, sample):
    import deltalake
    uri = s3_bucket.uri("race", "pin")
    res = pinetl.arrow.read_json([str(sample("pin"))], "pin")
    rows = res.rows
    first, second = rows.slice(0, 100), rows.slice(100, 100)
    assert pdelta.write(uri, "pin", first, mode="append")
    opts = pdelta.resolve_storage_options(uri)
    stale = deltalake.DeltaTable(uri, storage_options=opts)          # at version 0
    assert pdelta.write(uri, "pin", second, mode="append")          # version 1, by another
    deltalake.write_deltalake(stale, rows.slice(200, 50).select(first.schema.names).cast(
        first.schema), mode="append")                                 # stale: tries version 1
    dt = deltalake.DeltaTable(uri, storage_options=opts)
    assert dt.version() == 2
    assert dt.to_pyarrow_table().num_rows == 250                      # nothing overwritten


def test_delta_on_s3_missing_bucket_and_wrong_secret_fail_clearly(s3_bucket, sample,
                                                                   monkeypatch):
    rows = pinetl.arrow.read_json([str(sample("geo"))], "geo").rows
    missing = f"s3://no-such-{s3_bucket.name}/geo"
    with pytest.raises(FileNotFoundError) as err:
        pdelta.write(missing, "geo", rows)
    assert str(err.value) == (f"Delta table {missing}: bucket 'no-such-{s3_bucket.name}' does "
                              f"not exist at {s3_bucket.server.endpoint}")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wrong-secret")
    with pytest.raises(PermissionError) as err:
        pdelta.write(s3_bucket.uri("geo"), "geo", rows)
    assert str(err.value).startswith(f"Delta table {s3_bucket.uri('geo')}: the S3 server at "
                                     f"{s3_bucket.server.endpoint} refused the credentials "
                                     "(SignatureDoesNotMatch)")
    assert s3_bucket.server.secret_key not in str(err.value)
    assert s3_bucket.keys() == []                                  # nothing written


# ---- The daily chain on an s3:// landing -----------------------------------------------------

def test_daily_chain_finds_an_s3_landing_as_it_finds_a_folder(s3_bucket, tmp_path, monkeypatch):
    """landing_task on the bucket: the same tables, files and bytes as on the folder; a sink
    tree and flat files are told apart as C tells them (object names parsed by pinetl.s3sink)."""
    landing = tmp_path / "landing"
    two_days(str(landing))
    upload_tree(s3_bucket, landing, "landing")
    for day in ("2024-01-01", "2024-01-02"):
        local = pa.landing_task(day, str(landing))
        remote = pa.landing_task(day, s3_bucket.uri("landing"))
        assert remote["tables"] == local["tables"]
        assert remote["landing"] == s3_bucket.uri("landing", f"date={day}")
    flat = pa.landing_sources(s3_bucket.uri("landing", "date=2024-01-01"))
    assert flat == {t: [s3_bucket.uri("landing", "date=2024-01-01", f"{t}.jsonl")] for t in TABLES}
    sink = pa.landing_sources(s3_bucket.uri("landing", "date=2024-01-02"))
    assert sink == {t: [s3_bucket.uri("landing", "date=2024-01-02")] for t in TABLES}
    with pytest.raises(FileNotFoundError, match="no landing data for 2024-01-03"):
        pa.landing_task("2024-01-03", s3_bucket.uri("landing"))
    with pytest.raises(FileNotFoundError, match=f"bucket 'no-such-{s3_bucket.name}' does not"):
        pa.landing_task("2024-01-01", f"s3://no-such-{s3_bucket.name}/landing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wrong-secret")
    with pytest.raises(PermissionError) as err:
        pa.landing_task("2024-01-01", s3_bucket.uri("landing"))
    assert str(err.value) == (
        f"listing {s3_bucket.uri('landing', 'date=2024-01-01')}/: the S3 server at "
        f"{s3_bucket.server.endpoint} refused the credentials (SignatureDoesNotMatch); check "
        "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or the profile) for this endpoint")


def test_daily_landing_sink_detection_asks_c_not_a_topics_folder(tmp_path):
    """A landing given as the topics/ folder itself is an S3 sink folder for C, so it is for
    the chain too (a literal `<landing>/topics` check took it for a folder of flat files)."""
    day_s3_sink(str(tmp_path), "2024-01-02", {t: sample_lines(t)[:10] for t in TABLES})
    topics = str(tmp_path / "date=2024-01-02" / "topics")
    assert pa.landing_sources(topics) == {t: [topics] for t in TABLES}
    summary = pa.landing_task("2024-01-02", topics, layout="flat")
    assert {t: v["files"] for t, v in summary["tables"].items()} == {t: 1 for t in TABLES}


def _without_sources(state):
    """A snapshot with the rejects' and ledger's location-dependent columns left out."""
    return {k: v for k, v in state.items()
            if not k.startswith(("table:rejects", "table:pinetl_daily_load"))}


def test_readme_daily_chain_with_an_s3_landing_and_delta_equals_the_local_run(s3_bucket, tmp_path):
    """`pinetl-daily --landing s3://... --delta s3://...` for both days gives the warehouse,
    insights, accounting, report and Delta tables of the local run. Needs the C reader's
    s3:// support (Warehouse.load and pinetl.read_json on an s3:// landing)."""
    landing = tmp_path / "landing"
    two_days(str(landing))
    upload_tree(s3_bucket, landing, "landing")
    for day in ("2024-01-01", "2024-01-02"):
        daily.run_day(day, str(landing), str(tmp_path / "local.db"), str(tmp_path / "local"),
                      delta=str(tmp_path / "lake"))
        proc = subprocess.run([sys.executable, "-m", "pinetl_pipeline.daily", "--date", day,
                               "--landing", s3_bucket.uri("landing"),
                               "--warehouse", str(tmp_path / "s3.db"),
                               "--out", str(tmp_path / "s3"),
                               "--delta", s3_bucket.uri("lake")],
                              capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _without_sources(snapshot(tmp_path / "s3.db", tmp_path / "s3")) == \
        _without_sources(snapshot(tmp_path / "local.db", tmp_path / "local"))
    for name in TABLES:
        uri = s3_bucket.uri("lake", name)
        assert delta_rows(uri, storage_options=pdelta.resolve_storage_options(uri)) == \
            delta_rows(str(tmp_path / "lake" / name))


class _Arrow:
    """An Arrow table where spark_rows wants a DataFrame (it calls toArrow())."""

    def __init__(self, table):
        self.table = table

    def toArrow(self):
        return self.table


# ---- Spark through s3a:// ----------------------------------------------------------------

@pytest.mark.service
def test_spark_s3a_reads_the_bucket_landing_and_delta_tables(s3_bucket, tmp_path, cli):
    """A Spark session with hadoop-aws (pyspark's own Hadoop version) reads the S3 sink objects
    and the delta-rs tables in the bucket through s3a://: the landing cleans to the rows
    `pinetl clean` gives for the same files, the Delta tables hold delta-rs' rows."""
    import deltalake
    from spark_fixtures import cli_clean, spark_rows
    landing = tmp_path / "landing"
    lines = {t: sample_lines(t)[:300] for t in TABLES}
    day_s3_sink(str(landing), "2024-01-02", lines, per_object=100)
    folder = landing / "date=2024-01-02"
    upload_tree(s3_bucket, folder, "landing")
    expect_delta = {}
    for t in TABLES:
        pdelta.clean_to_delta([str(folder)], t, s3_bucket.uri("lake", t), mode="merge")
        uri = s3_bucket.uri("lake", t)
        table = deltalake.DeltaTable(uri, storage_options=pdelta.resolve_storage_options(uri))
        expect_delta[t] = spark_rows(_Arrow(table.to_pyarrow_table()))
    # S3A probes folders with HEAD, which s3s-fs answers 500 (S3: 404): see FolderHeadProxy.
    proxy = s3_bucket.server.folder_head_proxy()
    try:
        proc = subprocess.run([sys.executable, str(HERE / "spark_s3a_job.py"),
                               s3_bucket.uri("landing"), s3_bucket.uri("lake"), str(tmp_path)],
                              env=dict(os.environ, AWS_ENDPOINT_URL=proxy.endpoint),
                              capture_output=True, text=True, timeout=900)
    finally:
        proxy.close()
    assert proc.returncode == 0, "\n".join(      # without the JVM's stack frames
        line for line in (proc.stdout + proc.stderr).splitlines()
        if not line.lstrip().startswith("at "))[-6000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    from pinetl_pipeline import s3a
    assert out["packages"] == [f"org.apache.hadoop:hadoop-aws:{s3a.hadoop_version()}"]

    for t in TABLES:
        rows, _ = cli_clean(cli, t, folder, tmp_path)
        assert len(rows) == 300
        assert sorted(out["landing"][t], key=_key) == sorted(rows, key=_key)
        assert sorted(out["delta"][t], key=_key) == sorted(expect_delta[t], key=_key)


def _key(row):
    return json.dumps(row, sort_keys=True, default=str)
