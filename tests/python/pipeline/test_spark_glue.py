"""pinetl.spark without Spark: the schemas and the functions mapInArrow runs are plain Python
(pyarrow), tested here; test_spark_clean runs them on a Spark session."""
import subprocess
import sys

import pandas as pd
import pytest

import pinetl
from pinetl import spark as ps


def test_schemas_come_from_the_library():
    assert ps.schema("geo") == ("`ind` BIGINT, `country` STRING, `coordinates` ARRAY<DOUBLE>, "
                                "`timestamp` TIMESTAMP")
    assert ps.schema("user") == ("`ind` BIGINT, `user_name` STRING, `age` BIGINT, "
                                 "`date_joined` TIMESTAMP")
    pin = ps.schema("pin")
    assert pin.startswith("`ind` BIGINT, `unique_id` STRING, `title` STRING")
    assert "`follower_count` BIGINT" in pin and pin.count(",") == 10


@pytest.mark.parametrize("table", ["pin", "geo", "user"])
def test_clean_partitions_yield_arrow_batches_matching_the_schema(sample, table):
    import pyarrow as pa
    lines = open(sample(table), "rb").read().splitlines()
    batches = [pa.record_batch({"value": pa.array(lines[i:i + 500], pa.binary())})
               for i in range(0, len(lines), 500)]
    out = list(ps.clean_partitions(table, "value")(iter(batches)))
    assert len(out) == len(batches)
    assert all(b.schema == ps.arrow_schema(table) for b in out)
    names = [c.split(" ")[0].strip("`") for c in ps.schema(table).split(", ")]
    assert ps.arrow_schema(table).names == names
    whole = pa.Table.from_batches(out)
    expected = pinetl.clean_json(b"\n".join(lines), table).rows
    assert whole.num_rows == len(expected)
    for name, kind in pinetl.columns(table):
        got = whole.column(name).to_pylist()
        want = expected[name].tolist()
        if kind == "int64":
            want = [None if v is pd.NA else int(v) for v in want]
        elif kind == "timestamp":
            want = [None if v is pd.NaT else v.to_pydatetime() for v in want]
        elif kind == "text":
            want = [None if not isinstance(v, str) else v for v in want]
        assert got == want, name


def test_reject_partitions_match_the_reject_schema():
    import pyarrow as pa
    batch = pa.record_batch({"value": pa.array(
        [b'{"index": 1}', b'{"index": "no"}', b'{"index": 2, "t": "\xff"}', None], pa.binary())})
    out = list(ps.reject_partitions("pin", "value")(iter([batch])))[0]
    assert out.schema == ps.reject_arrow_schema()
    assert out.schema.names == [c.split(" ")[0].strip("`") for c in ps.REJECT_SCHEMA.split(", ")]
    assert out.column("reason").to_pylist() == ["bad_key", "invalid_utf8", "invalid_json"]
    assert out.column("line").to_pylist() == [2, 3, 4]
    assert out.column("raw").to_pylist()[0] == '{"index": "no"}'
    assert out.column("raw_base64").to_pylist()[0] is None
    assert out.column("raw").to_pylist()[1] is None and out.column("raw_base64").to_pylist()[1]


def test_inferred_rows_become_the_records_json():
    import decimal
    import pyarrow as pa
    batch = pa.record_batch({
        "ind": pa.array([1, 2, None], pa.int64()),
        "latitude": pa.array([float("inf"), 0.1, None]),
        "big": pa.array([decimal.Decimal("12345678901234567890"), None, None],
                        pa.decimal128(20, 0)),
        "_corrupt_record": pa.array([None, None, '{"ind": 3'])})
    assert ps.batch_records(batch) == [b'{"ind": 1, "latitude": 1e999, "big": 12345678901234567890}',
                                       b'{"ind": 2, "latitude": 0.1}', b'{"ind": 3']


def test_import_needs_neither_spark_nor_airflow():
    code = ("import sys, pinetl, pinetl.spark, pinetl.delta, pinetl_pipeline.airflow, pinetl.pandas\n"
            "pinetl.spark.schema('pin')\n"
            "bad = [m for m in sys.modules if m.split('.')[0] in ('pyspark', 'airflow', 'py4j',"
            " 'deltalake', 'delta')]\n"
            "assert not bad, bad\n"
            "print('ok')\n")
    proc = subprocess.run([sys.executable, "-c", _BLOCKER + code], capture_output=True, text=True,
                          env=_env())
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"


def test_udf_factories_import_pyspark_only_when_called():
    # pyspark is installed in the test venv, so a blocker stands in for its absence: the module
    # imports without it, and each factory then fails with ImportError naming pyspark. (The UDFs
    # themselves run on Spark in test_spark_clean.)
    code = ("import sys\nfrom pinetl import spark as ps\n"
            "for f in (ps.follower_count_udf, ps.timestamp_udf, ps.age_udf, ps.age_group_udf):\n"
            "    try:\n"
            "        f()\n"
            "    except ImportError as e:\n"
            "        assert 'pyspark' in str(e), e\n"
            "    else:\n"
            "        raise AssertionError(f.__name__ + ' did not import pyspark')\n"
            "print('ok')\n")
    proc = subprocess.run([sys.executable, "-c", _BLOCKER + code], capture_output=True,
                          text=True, env=_env())
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"


def _env():
    import os
    return dict(os.environ, PYTHONPATH=os.pathsep.join(
        [os.path.dirname(os.path.dirname(pinetl.__file__))] +
        [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))


# Makes any import of pyspark, airflow or deltalake fail, even though they are installed.
_BLOCKER = ("import sys\nclass B:\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        if name.split('.')[0] in ('pyspark', 'airflow', 'deltalake', 'delta'):\n"
            "            raise ImportError('blocked: ' + name)\n"
            "sys.meta_path.insert(0, B())\n")


def test_cleaned_rows_carry_the_positions_the_library_recorded():
    """pinetl.arrow.clean_json(positions=True): each cleaned row's source, line and byte offset, the
    ones its reject would carry (cleaned and rejected offsets make up every record's); the Spark
    glue turns them into POSITION_COLUMNS: a file's offset, or a DataFrame's row order with a
    source name."""
    import pyarrow as pa
    data = (b'{"ind": 1, "country": "A"}\nnot json\n[{"ind": 2}, {"ind": 3}]\n'
            b'{"ind": "x"}\n{"ind": 1, "country": "B"}\n')
    res = pinetl.arrow.clean_json(data, "geo", source="day-1/geo.json", positions=True)
    rows, rej = res.rows.to_pydict(), res.rejects.to_pydict()
    assert rows["ind"] == [1, 2, 3, 1]
    assert set(rows["_source"]) == {"day-1/geo.json"}
    assert rows["_line"] == [1, 3, 3, 5]
    assert sorted(rows["_offset"] + rej["offset"]) == [0, 27, 37, 49, 61, 74]
    assert rows["_offset"] == [0, 37, 49, 74]
    assert "_offset" not in pinetl.arrow.clean_json(data, "geo").rows.column_names
    # files: the spark rows end with the file and offset
    batch = pa.record_batch({"path": ["file:/in/geo.json"], "content": [data]})
    out = pa.Table.from_batches(list(ps._files_partitions("geo", True)(iter([batch]))))
    assert out.column_names == [n for n, _ in pinetl.columns("geo")] + list(ps.POSITION_COLUMNS)
    assert out.column("_source").to_pylist() == ["/in/geo.json"] * 4
    assert out.column("_offset").to_pylist() == [0, 37, 49, 74]
    # a DataFrame named as one source: offsets follow the rows (partition 0 outside Spark)
    lines = data.splitlines()
    batches = [pa.record_batch({"value": pa.array(lines[:3], pa.binary())}),
               pa.record_batch({"value": pa.array(lines[3:], pa.binary())})]
    out = pa.Table.from_batches(list(ps.clean_partitions("geo", "value", "batch-7")(
        iter(batches))))
    assert out.column("ind").to_pylist() == [1, 1]   # the array line is one (rejected) record
    assert out.column("_source").to_pylist() == ["batch-7", "batch-7"]
    assert out.column("_offset").to_pylist() == [0, 4]
