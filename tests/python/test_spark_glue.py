"""pinetl.spark without Spark: the schemas and the functions mapInPandas runs are plain Python,
tested here; the mapInPandas/pandas_udf calls themselves need a Spark session."""
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
def test_clean_partitions_yield_frames_matching_the_schema(sample, table):
    lines = [line.decode() for line in open(sample(table), "rb").read().splitlines()]
    frames = [pd.DataFrame({"value": lines[i:i + 500]}) for i in range(0, len(lines), 500)]
    out = list(ps.clean_partitions(table, "value")(iter(frames)))
    assert len(out) == len(frames)
    names = [c.split(" ")[0].strip("`") for c in ps.schema(table).split(", ")]
    whole = pd.concat(out, ignore_index=True)
    assert list(whole.columns) == names
    expected = pinetl.clean_json(table, "\n".join(lines)).rows
    assert len(whole) == len(expected)
    for name, kind in pinetl.columns(table):
        if kind == "int64":  # Arrow-friendly: Python ints and None, no pandas NA
            assert whole[name].dtype == object
            assert all(v is None or type(v) is int for v in whole[name])
            assert whole[name].tolist() == expected[name].astype(object).where(
                expected[name].notna(), None).tolist()
        else:
            assert whole[name].tolist() == expected[name].tolist()


def test_reject_partitions_match_the_reject_schema():
    frames = [pd.DataFrame({"value": ['{"index": 1}', '{"index": "no"}', b'{"index": 2, "t": "\xff"}']})]
    out = list(ps.reject_partitions("pin", "value")(iter(frames)))[0]
    names = [c.split(" ")[0].strip("`") for c in ps.REJECT_SCHEMA.split(", ")]
    assert list(out.columns) == names
    assert out["reason"].tolist() == ["bad_key", "invalid_utf8"]
    assert out["raw"].tolist()[0] == '{"index": "no"}' and out["raw_base64"].tolist()[0] is None
    assert out["raw"].tolist()[1] is None and out["raw_base64"].tolist()[1]


def test_import_needs_neither_spark_nor_airflow():
    code = ("import sys, pinetl, pinetl.spark, pinetl.airflow, pinetl.pandas\n"
            "pinetl.spark.schema('pin')\n"
            "bad = [m for m in sys.modules if m.split('.')[0] in ('pyspark', 'airflow', 'py4j')]\n"
            "assert not bad, bad\n"
            "print('ok')\n")
    # A blocker makes any import of pyspark/airflow fail, even if they were installed.
    blocker = ("import sys\nclass B:\n"
               "    def find_spec(self, name, path=None, target=None):\n"
               "        if name.split('.')[0] in ('pyspark', 'airflow'):\n"
               "            raise ImportError('blocked: ' + name)\n"
               "sys.meta_path.insert(0, B())\n")
    proc = subprocess.run([sys.executable, "-c", blocker + code], capture_output=True, text=True,
                          env=_env())
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"


def test_udf_factories_import_pyspark_only_when_called():
    try:
        import pyspark  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError):
            ps.follower_count_udf()
    else:
        pytest.skip("pyspark is installed here; the factories are exercised on Spark")


def _env():
    import os
    return dict(os.environ, PYTHONPATH=os.pathsep.join(
        [os.path.dirname(os.path.dirname(pinetl.__file__))] +
        [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
