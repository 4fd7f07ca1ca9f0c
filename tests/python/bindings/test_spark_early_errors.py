"""pinetl.spark checks what a call names on the driver, when the DataFrame or query is built
(issue 20 item 4): a missing column, an unknown table (pinetl's or the catalog's), an option
Spark would ignore, a bad table name; no action has run, no executor trace. The executor probe
runs once per SparkContext; ps.insights leaves no temporary view behind."""
import pathlib

import pytest

from pinetl import spark as ps
from pinetl import _spark_checks
from pinetl.errors import InvalidArgumentError

ROOT = pathlib.Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "tests" / "data" / "real-sample"


@pytest.fixture(scope="module")
def text(spark):
    return spark.read.text(str(SAMPLE / "pin.jsonl"))


@pytest.fixture
def jobs(spark):
    """The number of Spark jobs this test has run so far (its own job group)."""
    sc = spark.sparkContext
    group = f"pinetl-early-{id(object())}"
    sc.setJobGroup(group, "test_spark_early_errors")
    yield lambda: len(sc.statusTracker().getJobIdsForGroup(group))
    sc.setLocalProperty("spark.jobGroup.id", None)


def test_a_missing_column_fails_when_the_frame_is_built_naming_the_columns(spark, text, jobs):
    ps.clean(text, "pin", column="value")  # the probe, once per SparkContext, has run
    before = jobs()
    with pytest.raises(InvalidArgumentError, match=r"column= 'valu'.*no such column.*value"):
        ps.clean(text, "pin", column="valu")
    with pytest.raises(InvalidArgumentError, match=r"column= 'valu'"):
        ps.rejects(text, "pin", column="valu")
    with pytest.raises(InvalidArgumentError, match=r"keep= 'offset'.*columns: value"):
        ps.rejects(text, "pin", column="value", keep=["offset"])
    with pytest.raises(InvalidArgumentError, match=r"order= 'when'"):
        ps.latest(ps.clean(text, "pin", column="value"), order="when")
    assert jobs() == before              # nothing ran on an executor to find out


def test_a_text_column_of_another_type_is_refused(spark):
    df = spark.range(3).withColumnRenamed("id", "value")
    with pytest.raises(InvalidArgumentError, match=r"column='value' is BIGINT.*STRING or BINARY"):
        ps.clean(df, "pin", column="value")


def test_an_unknown_table_fails_at_once(spark, text):
    with pytest.raises(InvalidArgumentError, match="pinx"):
        ps.clean(text, "pinx", column="value")
    with pytest.raises(InvalidArgumentError, match="pinx"):
        ps.rejects(text, "pinx", column="value")


def test_an_option_spark_would_ignore_is_refused(spark):
    with pytest.raises(InvalidArgumentError, match=r"unknown option 'recursiveLookup'.*"
                                                   r"recursiveFileLookup"):
        ps.clean_files(spark, str(SAMPLE / "pin.jsonl"), "pin", recursiveLookup="true")
    with pytest.raises(InvalidArgumentError, match=r"unknown option 'maxFilePerTrigger'"):
        ps.kinesis_files(spark, str(SAMPLE), maxFilePerTrigger=1)
    with pytest.raises(InvalidArgumentError, match=r"median= must be one of"):
        ps.insights(spark, "a", "b", "c", median="mean")


@pytest.mark.parametrize("name, message", [
    ("lake.pin-2", r"table name 'lake.pin-2': a table name is table, schema.table or "
                   r"catalog.schema.table"),
    ("a.b.c.d", r"a table name is table, schema.table"),
    ("nocatalog.lake.pin", r"the session has no catalog 'nocatalog'"),
    ("", r"table name ''"),
    ("nolake.pin", r"table name 'nolake.pin': the catalog has no schema 'nolake'"),
])
def test_a_bad_table_name_is_refused_before_the_query_starts(spark, tmp_path, name, message):
    stream = ps.kinesis_files(spark, str(tmp_path)).selectExpr("CAST(data AS STRING) AS value")
    with pytest.raises(InvalidArgumentError, match=message):
        ps.stream_to_delta(stream, "pin", None, tmp_path / "ck", name=name)
    assert not spark.streams.active


def test_stream_to_delta_checks_its_arguments_before_starting(spark, tmp_path):
    stream = ps.kinesis_files(spark, str(tmp_path)).selectExpr("CAST(data AS STRING) AS value")
    cases = [({"column": "data"}, r"column= 'data'.*columns: value"),
             ({"trigger": {"available_now": True}}, r"unknown option 'available_now'"),
             ({"partition_by": "categry"}, r"partition_by='categry': not a column"),
             ({"properties": {"bad key": 1}}, r"table property 'bad key'")]
    for kwargs, message in cases:
        with pytest.raises(InvalidArgumentError, match=message):
            ps.stream_to_delta(stream, "pin", tmp_path / "lake", tmp_path / "ck", **kwargs)
    with pytest.raises(InvalidArgumentError, match=r"give root=.*name="):
        ps.stream_to_delta(stream, "pin", None, tmp_path / "ck")
    assert not spark.streams.active


def test_insights_over_an_unknown_table_name_fails_at_once(spark, text):
    pin = ps.clean(text, "pin", column="value")
    with pytest.raises(InvalidArgumentError, match=r"geo='nolake.geo': no such table"):
        ps.insights(spark, pin, "nolake.geo", "nolake.user")


def test_insights_drop_their_temporary_views(spark, text):
    """The views made for DataFrames are gone when insights returns; the results still run."""
    frames = {t: ps.latest(ps.clean_files(spark, str(SAMPLE / f"{t}.jsonl"), t))
              for t in ("pin", "geo", "user")}
    before = sorted(t.name for t in spark.catalog.listTables())
    out = ps.insights(spark, frames["pin"], frames["geo"], frames["user"])
    assert sorted(t.name for t in spark.catalog.listTables()) == before
    assert next(iter(out.values())).count() > 0


def test_the_executor_probe_runs_once_per_spark_context(spark, text, jobs):
    sc = spark.sparkContext
    _spark_checks._probed.pop(sc, None)
    ps.clean(text, "pin", column="value")
    assert jobs() == 1                    # the probe: one tiny job
    ps.clean(text, "geo", column="value")
    ps.rejects(text, "user", column="value")
    ps.clean_files(spark, str(SAMPLE / "pin.jsonl"), "pin")
    assert jobs() == 1                    # cached for this SparkContext
    assert _spark_checks._probed[sc] is None


def test_every_writer_checks_its_table_names_before_any_work(spark, tmp_path, jobs):
    from pinetl import delta
    from pinetl_pipeline import databricks_jobs
    geo = SAMPLE / "geo.jsonl"
    with pytest.raises(ValueError, match=r"name= needs spark="):
        delta.clean_to_delta(geo, "geo", tmp_path / "geo", name="lake.geo")
    with pytest.raises(InvalidArgumentError, match=r"the catalog has no schema 'nolake'"):
        delta.clean_to_delta(geo, "geo", tmp_path / "geo", spark=spark, name="nolake.geo")
    assert not (tmp_path / "geo").exists()       # nothing written
    with pytest.raises(InvalidArgumentError, match=r"'nolake.rejects_geo'|'nolake.geo'"):
        databricks_jobs.batch_job(spark, str(tmp_path), None, tables=("geo",),
                                  database="nolake")
    with pytest.raises(ValueError, match=r"partition_by geo: 'category' is not a column"):
        databricks_jobs.batch_job(spark, str(tmp_path), str(tmp_path / "lake"), tables=("geo",),
                                  partition_by={"geo": "category"})
    assert jobs() == 0                            # refused on the driver, before any job
