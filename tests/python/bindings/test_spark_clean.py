"""pinetl.spark on a real local Spark session: cleaned rows and rejects equal the CLI's, value for
value, for files, for one column of JSON text (Kafka value, Kinesis data) and for
spark.read.json's inferred columns (with the documented exceptions, each checked here)."""
import json
import pathlib

import pytest

import pinetl
from pinetl import spark as ps
from spark_fixtures import cli_clean, spark_rejects, spark_rows

ROOT = pathlib.Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "tests" / "data" / "real-sample"
IO = ROOT / "tests" / "data" / "io"
TABLES = ("pin", "geo", "user")
BAD_FILES = sorted(p.name for p in IO.iterdir() if p.is_file())


def _text_frame(spark, path):
    # One row per line, the line's bytes unchanged (CAST to BINARY keeps invalid UTF-8).
    return spark.read.text(str(path)).selectExpr("CAST(value AS BINARY) AS value")


@pytest.mark.parametrize("table", TABLES)
def test_clean_files_equals_cli_on_the_real_sample(spark, cli, tmp_path, table):
    path = SAMPLE / f"{table}.jsonl"
    rows, rejects = cli_clean(cli, table, path, tmp_path)
    assert len(rows) + len(rejects) == 2262 and len(rows) > 2000
    got = spark_rows(ps.clean_files(spark, str(path), table))
    assert [{k: v for k, v in r.items() if k not in ps.POSITION_COLUMNS} for r in got] == rows
    # each row carries its file and byte offset: increasing, as the file's records are
    assert {r["_source"] for r in got} == {str(path)}
    assert [r["_offset"] for r in got] == sorted({r["_offset"] for r in got})
    assert spark_rejects(ps.rejects_files(spark, str(path), table)) == rejects


def test_clean_files_equals_cli_on_bad_input(spark, cli, tmp_path):
    """Every bad-input file at once, in one Spark job each for rows and rejects: Spark packs
    files into tasks in its own order, so rows compare as a multiset; rejects name their file,
    line and byte offset, and compare exactly."""
    paths = [str(IO / name) for name in BAD_FILES]
    rows, rejects = cli_clean(cli, "pin", paths, tmp_path)
    assert len(BAD_FILES) >= 8 and len(rejects) >= 20
    key = lambda r: json.dumps(r, sort_keys=True)  # noqa: E731
    got = ps.clean_files(spark, paths, "pin").drop(*ps.POSITION_COLUMNS)
    assert sorted(map(key, spark_rows(got))) == sorted(map(key, rows))
    got = spark_rejects(ps.rejects_files(spark, paths, "pin"))
    assert sorted(got, key=lambda r: (r["source"], r["line"], r["offset"])) == \
        sorted(rejects, key=lambda r: (r["source"], r["line"], r["offset"]))


def test_clean_files_reads_an_s3_sink_directory(spark, cli, tmp_path):
    """Spark hands files to tasks in its own order (largest first), so rows compare as a multiset
    here; within a file the order is the file's."""
    sink = ROOT / "tests" / "data" / "envelopes" / "s3-sink"
    rows, rejects = cli_clean(cli, "geo", sink, tmp_path)
    got = ps.clean_files(spark, str(sink / "topics" / "*.geo"), "geo", recursiveFileLookup="true")
    got = got.drop(*ps.POSITION_COLUMNS)
    key = lambda r: json.dumps(r, sort_keys=True)  # noqa: E731
    assert len(rows) == 2262 and not rejects
    assert sorted(map(key, spark_rows(got))) == sorted(map(key, rows))


@pytest.mark.parametrize("table", TABLES)
def test_json_text_column_equals_cli_on_the_real_sample(spark, cli, tmp_path, table):
    path = SAMPLE / f"{table}.jsonl"
    rows, rejects = cli_clean(cli, table, path, tmp_path)
    if table == "pin":
        text = spark.read.text(str(path))                    # STRING column
        assert spark_rows(ps.clean(text, table, column="value")) == rows
    binary = _text_frame(spark, path)                       # BINARY column, as Kafka's value
    assert spark_rows(ps.clean(binary, table, column="value")) == rows
    assert spark_rejects(ps.rejects(binary, table, column="value")) == []


def test_json_text_column_on_bad_input(spark, cli, tmp_path):
    """Each value is one record, rejected or cleaned as the CLI treats that line, with two
    documented differences: a blank value is an empty record (rejected; a file's blank line is no
    record), and a JSON array value is one record (not an object; in a file it is a list of
    records)."""
    path = IO / "malformed.jsonl"
    rows, rejects = cli_clean(cli, "pin", path, tmp_path)
    lines = path.read_bytes().split(b"\n")
    df = _text_frame(spark, path)
    got_rows = spark_rows(ps.clean(df, "pin", column="value"))
    got_rej = spark_rejects(ps.rejects(df, "pin", column="value"))
    assert len(got_rows) + len(got_rej) == len(lines)          # every value in exactly one
    assert got_rows == [r for r in rows if r["ind"] != 8]      # 8 came from the array line
    # Rejects: the CLI's, minus the array's element, plus the array and the two blank lines.
    array = next(i for i, ln in enumerate(lines) if ln.startswith(b"["))
    blanks = [i for i, ln in enumerate(lines) if not ln.strip()]
    by_line = {r["line"]: r for r in got_rej}
    assert sorted(by_line) == sorted([r["line"] for r in rejects if r.get("raw") != "1"] +
                                     [array + 1] + [b + 1 for b in blanks])
    for r in rejects:
        if r.get("raw") == "1":
            continue
        mine = by_line[r["line"]]
        assert (mine["reason"], mine["message"]) == (r["reason"], r["message"])
        assert mine.get("raw") == r.get("raw") and mine.get("raw_base64") == r.get("raw_base64")
        assert mine["source"] == "spark:partition=0" and mine["table"] == "pin"
    assert by_line[array + 1]["reason"] == "not_an_object"
    assert by_line[array + 1]["message"] == "not an object: the record is an array"
    assert {by_line[b + 1]["reason"] for b in blanks} == {"invalid_json"}


def test_rejects_keep_the_columns_that_say_where_a_record_came_from(spark):
    values = [b'{"index": 1}', b'{"index": "x"}', b"\xff", None, b'{"index": 2}']
    df = spark.createDataFrame(
        [("t.pin", 0, i, v) for i, v in enumerate(values)],
        "topic STRING, partition INT, offset BIGINT, value BINARY").repartition(1)
    rej = ps.rejects(df, "pin", column="value", keep=["topic", "offset"])
    assert rej.columns == ["table", "source", "line", "offset", "reason", "message", "raw",
                           "raw_base64", "topic", "input_offset"]
    got = [(r["input_offset"], r["reason"], r["topic"]) for r in rej.collect()]
    assert got == [(1, "bad_key", "t.pin"), (2, "invalid_utf8", "t.pin"),
                   (3, "invalid_json", "t.pin")]
    assert [r.ind for r in ps.clean(df, "pin", column="value").collect()] == [1, 2]


@pytest.mark.parametrize("table", TABLES)
def test_inferred_columns_equal_cli_on_the_real_sample(spark, cli, tmp_path, table):
    path = SAMPLE / f"{table}.jsonl"
    rows, _ = cli_clean(cli, table, path, tmp_path)
    raw = spark.read.json(str(path))
    assert {f.dataType.simpleString() for f in raw.schema.fields} >= {"bigint", "string"}
    assert spark_rows(ps.clean(raw, table)) == rows
    assert spark_rejects(ps.rejects(raw, table)) == []


def test_inferred_columns_on_bad_input_differ_only_as_documented(spark, cli, tmp_path):
    path = IO / "malformed.jsonl"
    rows, rejects = cli_clean(cli, "pin", path, tmp_path)
    raw = spark.read.json(str(path))
    # Caveat 1: "index" holds numbers and strings, so Spark infers STRING for all of it.
    assert dict((f.name, f.dataType.simpleString()) for f in raw.schema.fields)["index"] == "string"
    got_rows = spark_rows(ps.clean(raw, "pin"))
    got_rej = spark_rejects(ps.rejects(raw, "pin"))
    by_raw = {r.get("raw") or r.get("raw_base64"): r for r in got_rej}
    # Records Spark cannot parse come through _corrupt_record: rejected as in the text form.
    for r in rejects:
        key = r.get("raw") or r.get("raw_base64")
        if key in ('{"index": 6} {"index": 7}', "1"):
            continue
        assert (by_raw[key]["reason"], by_raw[key]["message"]) == (r["reason"], r["message"])
    # The array line is one corrupt record in Spark (the CLI reads its elements).
    assert by_raw['[1, {"index": 8}]']["reason"] == "not_an_object"
    # Caveat 2: Spark keeps the first value of '{"index": 6} {"index": 7}'.
    assert {"ind": 6} .items() <= next(r for r in got_rows if r["ind"] == 6).items()
    # Caveat 1 again: {"index": 5.0} arrives as the text "5.0", a bad key; the CLI gives ind 5.
    assert by_raw['{"index": "5.0"}']["reason"] == "bad_key" and 5 in [r["ind"] for r in rows]
    cli_inds = [r["ind"] for r in rows]
    assert sorted(r["ind"] for r in got_rows) == sorted(i for i in cli_inds + [6]
                                                        if i not in (5, 8))


def test_inferred_numbers_and_nulls(spark, tmp_path):
    """Caveats 3 and 4, and what does survive inference: doubles print back to the same double,
    1e999 is out of range as in the text, a null key is "missing"."""
    lines = ['{"ind": 1, "latitude": -89.9787, "longitude": 1e999, "timestamp": 1598586767.5}',
             '{"ind": 2, "latitude": 0.1, "longitude": -173.293, "timestamp": 1598586767}',
             '{"ind": null, "latitude": 1.5, "longitude": 2}']
    path = tmp_path / "geo.jsonl"
    path.write_text("\n".join(lines) + "\n")
    raw = spark.read.json(str(path))
    text = pinetl.clean_json("\n".join(lines), "geo")
    got = spark_rows(ps.clean(raw, "geo"))
    assert [r["ind"] for r in got] == text.rows["ind"].tolist() == [1, 2]
    assert got[0]["coordinates"] is None and got[1]["coordinates"] == [0.1, -173.293]
    assert got[0]["timestamp"] == "2020-08-28T03:52:47.500000Z"
    assert got[1]["timestamp"] == "2020-08-28T03:52:47Z"
    rej = spark_rejects(ps.rejects(raw, "geo"))
    assert [r["message"] for r in rej] == ["field 'ind' is missing"]
    assert text.rejects["message"].tolist() == ["field 'ind' is null"]


def test_per_value_udfs_agree_with_the_scalar_functions(spark):
    from pyspark.sql import functions as F
    values = [("26k",), ("1.5M",), ("437",), ("User Info Error",), (None,)]
    df = spark.createDataFrame(values, "x STRING")
    got = [r.n for r in df.select(ps.follower_count_udf()(F.col("x")).alias("n")).collect()]
    assert got == [None if v is None else pinetl.scalar.follower_count(v) for (v,) in values]
    ts = spark.createDataFrame([("2020-08-28 03:52:47+01:00",), ("nope",)], "x STRING")
    got = [r.t for r in ts.select(ps.timestamp_udf()(F.col("x")).alias("t")).collect()]
    assert got[1] is None
    assert got[0].astimezone(pinetl.scalar.parse_timestamp("2020-08-28 02:52:47").tzinfo) == \
        pinetl.scalar.parse_timestamp("2020-08-28 03:52:47+01:00")
    ages = spark.createDataFrame([(20,), (30,), (151,), (None,), (50,), (51,)], "a BIGINT")
    got = ages.select(ps.age_udf()(F.col("a")).alias("a"),
                      ps.age_group_udf()(F.col("a")).alias("g")).collect()
    assert [r.a for r in got] == [20, 30, None, None, 50, 51]
    assert [r.g for r in got] == ["18-24", "25-35", "+50", None, "36-50", "+50"]
    assert [r.g for r in got] == [None if a is None else pinetl.scalar.age_group(a)
                                  for (a,) in [(20,), (30,), (151,), (None,), (50,), (51,)]]


def test_latest_keeps_the_later_row_per_ind(spark, tmp_path):
    lines = [b'{"ind": 1, "country": "A"}', b'{"ind": 2, "country": "B"}',
             b'{"ind": 1, "country": "C"}']
    path = tmp_path / "geo.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    got = ps.latest(ps.clean(_text_frame(spark, path), "geo", column="value"))
    assert sorted((r.ind, r.country) for r in got.collect()) == [(1, "C"), (2, "B")]


def test_schemas_are_the_spark_schemas_of_the_outputs(spark):
    df = ps.clean(spark.createDataFrame([('{"ind": 1}',)], "value STRING"), "geo", "value")
    assert df.schema.simpleString() == spark.createDataFrame([], ps.schema("geo")).schema.simpleString()
    assert json.loads(df.schema.json())["fields"][2]["type"]["elementType"] == "double"
