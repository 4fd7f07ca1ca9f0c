"""Catalog tables (issue 20 item 2) on Spark's Hive metastore in a local Derby database: pinetl.delta
(delta-rs, then registered), the Databricks batch job (saveAsTable, MERGE by name) and
pinetl.spark.stream_to_delta create or use tables by two- and three-part names, with partitioning
and table properties; the nine insights run as SQL over the registered tables and equal
`pinetl insights` on the same data. The Hive session runs in a process of its own
(spark_catalog_job.py): the run's shared session keeps the in-memory catalog."""
import json
import os
import pathlib
import subprocess
import sys

import pytest

from spark_fixtures import cli_clean

pytestmark = pytest.mark.service

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[2]
SAMPLE = ROOT / "tests" / "data" / "real-sample"
TABLES = ("pin", "geo", "user")


@pytest.fixture(scope="module")
def catalog_run(tmp_path_factory):
    scratch = tmp_path_factory.mktemp("hive")
    env = dict(os.environ, SPARK_LOCAL_IP="127.0.0.1")
    proc = subprocess.run([sys.executable, "-P", str(HERE / "spark_catalog_job.py"), str(scratch),
                           str(SAMPLE)], capture_output=True, env=env, timeout=1500)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-6000:]
    out = json.loads(proc.stdout.decode().strip().splitlines()[-1])
    out["scratch"] = str(scratch)
    return out


def _latest(rows):
    by_ind = {}
    for row in rows:
        by_ind[row["ind"]] = row
    return [by_ind[i] for i in sorted(by_ind)]


def test_the_tables_live_in_the_hive_metastore_on_derby(catalog_run):
    assert catalog_run["catalog"] == "hive"
    assert (pathlib.Path(catalog_run["scratch"]) / "metastore_db").is_dir()
    assert catalog_run["tables"] == {
        "rs": ["geo", "pin", "rejects_geo", "rejects_pin", "rejects_user", "user"],
        "bj": ["geo", "rejects_geo", "rejects_user", "user"],
        "st": ["pin", "rejects_pin"]}


def test_every_writer_registers_delta_with_partitions_and_properties(catalog_run):
    lake = pathlib.Path(catalog_run["scratch"]) / "lake"
    d = catalog_run["detail"]
    assert {n: v["format"] for n, v in d.items()} == dict.fromkeys(d, "delta")
    # delta-rs tables: registered where delta-rs wrote them, its partitioning, external.
    assert d["rs.pin"]["location"].endswith(str(lake / "rs" / "pin"))
    assert d["rs.pin"]["partitions"] == ["category"] and d["rs.geo"]["partitions"] == []
    assert d["rs.pin"]["type"] == "EXTERNAL" and d["rs.pin"]["writer"] == "delta-rs"
    # the batch job's: managed (no root given), in the warehouse, partitioned as asked.
    assert d["bj.geo"]["type"] == "MANAGED" and d["bj.geo"]["partitions"] == ["country"]
    assert "/warehouse/bj.db/" in d["bj.geo"]["location"]
    assert d["bj.geo"]["writer"] == d["bj.rejects_user"]["writer"] == "batch_job"
    # the stream's: external under its root.
    assert d["st.pin"]["location"].endswith(str(lake / "st" / "pin"))
    assert d["st.pin"]["type"] == "EXTERNAL" and d["st.pin"]["partitions"] == ["category"]
    assert d["st.pin"]["writer"] == "stream_to_delta"


def test_the_tables_hold_what_the_cli_cleans(catalog_run, cli, tmp_path):
    rows, rejects = cli_clean(cli, "user", SAMPLE / "user.jsonl", tmp_path)
    assert catalog_run["rows"]["rs.user"] == catalog_run["rows"]["bj.user"] == _latest(rows)
    pin_rows, pin_rejects = cli_clean(cli, "pin", SAMPLE / "pin.jsonl", tmp_path)
    assert catalog_run["stream_rows"] == len(pin_rows)
    assert catalog_run["stream_rejects"] == len(pin_rejects)


def test_the_batch_job_by_name_is_idempotent(catalog_run):
    batch = catalog_run["batch"]
    assert all(batch["first"][t]["merged"] for t in ("geo", "user"))
    assert not any(batch["second"][t]["merged"] for t in ("geo", "user"))
    assert batch["versions_after"] == batch["versions_before"]


def test_insights_over_the_catalog_tables_equal_pinetl_insights(catalog_run, cli):
    proc = cli("insights", "--quiet", "--format", "json", *[
        a for t in TABLES for a in (f"--{t}", SAMPLE / f"{t}.jsonl")])
    expected = json.loads(proc.stdout)
    got = catalog_run["insights"]
    assert list(got) == list(expected)
    for name, rows in expected.items():
        assert rows, name
        assert got[name] == rows, name
    assert catalog_run["views_unchanged"]
