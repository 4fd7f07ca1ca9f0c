"""Spark with Delta (delta-spark) in the same session as the other Spark tests: it reads the Delta
tables pinetl.delta (delta-rs) wrote, writes pinetl.spark.clean's output to Delta, and the nine
insights in Spark SQL over those Delta tables equal `pinetl insights` on the same input."""
import json
import pathlib

import deltalake
import pytest

from pinetl import delta
from pinetl import spark as ps
from spark_fixtures import cli_clean, spark_rejects, spark_rows
from test_delta_write import delta_rows, latest_per_ind

ROOT = pathlib.Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "tests" / "data" / "real-sample"
TABLES = ("pin", "geo", "user")


@pytest.fixture(scope="module")
def lake(tmp_path_factory):
    """The real sample merged into Delta tables by pinetl.delta (delta-rs), pin partitioned by
    category."""
    root = tmp_path_factory.mktemp("lake")
    for table in TABLES:
        delta.clean_to_delta(SAMPLE / f"{table}.jsonl", table, root / table, mode="merge",
                             partition_by="category" if table == "pin" else None,
                             app_id="batch", version=1)
    return root


@pytest.fixture(scope="module")
def cli_insights(cli):
    proc = cli("insights", "--quiet", "--format", "json", *[
        a for t in TABLES for a in (f"--{t}", SAMPLE / f"{t}.jsonl")])
    return json.loads(proc.stdout)


def _collect(frames):
    return {name: [row.asDict() for row in df.collect()] for name, df in frames.items()}


def _sorted(rows):
    return sorted(rows, key=lambda r: (r["ind"], json.dumps(r, sort_keys=True)))


def test_spark_reads_the_tables_pinetl_delta_wrote(spark, cli, lake, tmp_path):
    for table in TABLES:
        rows, _ = cli_clean(cli, table, SAMPLE / f"{table}.jsonl", tmp_path)
        got = spark.read.format("delta").load(str(lake / table))
        assert _sorted(spark_rows(got)) == latest_per_ind(rows)
    history = spark.sql(f"DESCRIBE HISTORY delta.`{lake / 'pin'}`").collect()
    assert len(history) == 1 and history[0].operation == "WRITE"


def test_spark_sql_insights_over_delta_equal_pinetl_insights(spark, cli, lake, cli_insights):
    tables = {t: spark.read.format("delta").load(str(lake / t)).cache() for t in TABLES}
    got = _collect(ps.insights(spark, tables["pin"], tables["geo"], tables["user"]))
    assert list(got) == list(cli_insights)
    for name, rows in cli_insights.items():
        assert rows, name                      # every insight has rows on the real sample
        assert got[name] == rows, name
    medians = [n for n in cli_insights if n.startswith("median_")]
    interpolated = ps.insights(spark, tables["pin"], tables["geo"], tables["user"],
                               median="interpolated")
    proc = cli("insights", "--quiet", "--format", "json", "--median", "interpolated", *medians,
               *[a for t in TABLES for a in (f"--{t}", SAMPLE / f"{t}.jsonl")])
    assert _collect({n: interpolated[n] for n in medians}) == json.loads(proc.stdout)


def test_spark_writes_cleaned_output_to_delta(spark, lake, tmp_path):
    """pinetl.spark.clean on the JSON text, one row per ind (latest), written by Spark to Delta:
    the same tables as pinetl.delta's merge (over which the insights equal the CLI's, above),
    read back by delta-rs."""
    for table in TABLES:
        text = spark.read.text(str(SAMPLE / f"{table}.jsonl"))
        cleaned = ps.latest(ps.clean(text, table, column="value"))
        uri = str(tmp_path / table)
        cleaned.write.format("delta").mode("overwrite").save(uri)
        assert delta_rows(uri) == delta_rows(lake / table)


def test_spark_writes_rejects_to_delta(spark, cli, tmp_path):
    path = ROOT / "tests" / "data" / "io" / "malformed.jsonl"
    _, rejects = cli_clean(cli, "pin", path, tmp_path)
    uri = str(tmp_path / "rejects")
    ps.rejects_files(spark, str(path), "pin").write.format("delta").save(uri)
    got = spark_rejects(spark.read.format("delta").load(uri).orderBy("line"))
    assert got == rejects
    assert deltalake.DeltaTable(uri).to_pyarrow_table().num_rows == len(rejects) == 7
