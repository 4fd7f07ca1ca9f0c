"""What a DataFrame from pinetl holds on each pandas major (tests/run.sh runs this module on
both: the main venv's pandas and, in a small second venv, the other major).

pandas 2: text columns are object (str, None for null); pandas 3: pandas' own default for text,
"str" (pd.StringDtype(na_value=np.nan), null as NaN). On both: nullable Int64, datetime64[ns, UTC]
timestamps, coordinates and the rejects' raw as object; a null is never the text "None" or
"nan"."""
import json
import subprocess
import sys
from contextlib import nullcontext

import numpy as np
import pandas as pd

import pinetl
import pinetl.pandas as pp
from compare import PANDAS_MAJOR

GEO = [{"ind": 1, "timestamp": "2020-08-28 03:52:47", "latitude": -89.9787,
        "longitude": "-173.965", "country": "Chad"},
       {"ind": 2, "timestamp": None, "country": None},
       {"ind": 3, "timestamp": 1598586767, "latitude": 10, "longitude": 20, "country": "None"},
       {"ind": "bad"}]


def _text_nulls(series):
    """The null rows of a text column, each checked to be pandas' null of that major."""
    nulls = [v for v in series.tolist() if not isinstance(v, str)]
    if PANDAS_MAJOR < 3:
        assert all(v is None for v in nulls), nulls
    else:
        assert all(isinstance(v, float) and np.isnan(v) for v in nulls), nulls
    return len(nulls)


def test_text_columns_dtype_per_pandas_version():
    res = pinetl.clean_json(GEO, "geo")
    country = res.rows["country"]
    if PANDAS_MAJOR < 3:
        assert country.dtype == object
    else:
        assert country.dtype == pd.StringDtype(na_value=np.nan)
        assert str(country.dtype) == "str"
    # the same dtype as the user's pandas gives a column of text, and as the meta dask uses
    assert country.dtype == pd.Series(["x"]).dtype
    assert pp.meta("geo").dtypes["country"] == country.dtype
    # a null stays a null; the text "None" stays text
    assert country.isna().tolist() == [False, True, False]
    assert country.tolist()[0] == "Chad" and country.tolist()[2] == "None"
    assert _text_nulls(country) == 1


def test_text_columns_of_read_json_and_pandas_clean_use_the_text_dtype(tmp_path):
    path = tmp_path / "geo.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in GEO))
    expected = "object" if PANDAS_MAJOR < 3 else "str"
    rows = pinetl.read_json(path, "geo").rows
    assert str(rows["country"].dtype) == expected and _text_nulls(rows["country"]) == 1
    df = pd.DataFrame({"value": [json.dumps(r) for r in GEO]})
    cleaned = pp.clean(df, "geo", column="value")
    assert str(cleaned["country"].dtype) == expected and _text_nulls(cleaned["country"]) == 1
    assert cleaned.index.tolist() == [0, 1, 2]


def test_timestamps_are_utc_datetime64_ns():
    rows = pinetl.clean_json(GEO, "geo").rows
    ts = rows["timestamp"]
    assert ts.dtype == pd.DatetimeTZDtype("ns", "UTC")
    assert str(ts.dtype) == "datetime64[ns, UTC]"
    assert ts.tolist()[0] == ts.tolist()[2] == pd.Timestamp("2020-08-28T03:52:47Z")
    assert ts.tolist()[1] is pd.NaT
    assert pp.meta("geo").dtypes["timestamp"] == ts.dtype
    series = pp.timestamp(pd.Series(["2020-08-28 03:52:47", None]))
    assert series.dtype == ts.dtype and series.isna().tolist() == [False, True]


def test_other_columns_keep_their_dtype_on_every_pandas():
    rows = pinetl.clean_json(GEO, "geo").rows
    assert list(rows.columns) == ["ind", "country", "coordinates", "timestamp"]
    assert str(rows["ind"].dtype) == "Int64" and rows["ind"].tolist() == [1, 2, 3]
    assert rows["coordinates"].dtype == object
    assert rows["coordinates"].tolist() == [[-89.9787, -173.965], None, [10.0, 20.0]]


def test_rejects_text_columns_use_the_text_dtype_and_raw_stays_object():
    res = pinetl.clean_json([*GEO, b'{"ind": 5, "country": "\xff"}'], "geo")
    rej = res.rejects
    text = "object" if PANDAS_MAJOR < 3 else "str"
    assert {c: str(t) for c, t in rej.dtypes.items()} == {
        "table": text, "source": text, "line": "int64", "offset": "int64", "reason": text,
        "message": text, "raw": "object"}
    assert rej["reason"].tolist() == ["bad_key", "invalid_utf8"]
    # raw holds str, or the bytes of a record that is not UTF-8: object whatever the rows hold
    assert rej["raw"].tolist() == ['{"ind": "bad"}', b'{"ind": 5, "country": "\xff"}']
    only_text = pinetl.clean_json(GEO, "geo").rejects
    assert only_text["raw"].dtype == object and only_text["reason"].dtype == rej["reason"].dtype
    meta = pp.reject_meta()
    assert meta.dtypes.drop("index").equals(rej.dtypes)


def test_insights_and_query_text_columns_use_the_text_dtype(tmp_path):
    text = "object" if PANDAS_MAJOR < 3 else "str"
    with pinetl.Warehouse(tmp_path / "w.db") as wh:
        wh.load_json("".join(json.dumps(r) + "\n" for r in GEO), "geo")
        df = wh.query("SELECT ind, country, 1.5 AS r, CASE WHEN ind = 1 THEN 'a' ELSE 2 END AS m"
                      " FROM geo ORDER BY ind")
    assert {c: str(t) for c, t in df.dtypes.items()} == {
        "ind": "Int64", "country": text, "r": "float64", "m": "object"}
    assert _text_nulls(df["country"]) == 1
    assert df["m"].tolist() == ["a", 2, 2]


def _has_option(name):
    try:
        pd.get_option(name)
    except pd.errors.OptionError:
        return False
    return True


def test_text_columns_follow_pandas_future_infer_string(tmp_path):
    # pandas 2 with pd.options.future.infer_string gets pandas 3's "str" columns (on pandas 3 it
    # is the default): the frame's text dtype is whatever the user's pandas gives text. pandas
    # 1.5 (the Databricks LTS runtimes 14.3 to 16.4, docs/wheels.md) has no such option: text
    # stays object there, null None.
    path = tmp_path / "geo.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in GEO))
    inferring = PANDAS_MAJOR >= 3 or _has_option("future.infer_string")
    assert inferring or PANDAS_MAJOR < 2
    # (pandas 3 deprecates the option: its default cannot be turned off any more.)
    infer = (pd.option_context("future.infer_string", True) if inferring and PANDAS_MAJOR < 3
             else nullcontext())
    with infer:
        # pandas 2.3 and 3: "str", pd.StringDtype(na_value=np.nan); pandas 2.2: its
        # "string[pyarrow_numpy]"
        texts = pd.Series(["x"]).dtype
        assert (texts != object) == inferring
        assert PANDAS_MAJOR < 3 or texts == pd.StringDtype(na_value=np.nan)
        for rows in (pinetl.read_json(path, "geo").rows, pinetl.clean_json(GEO, "geo").rows):
            assert rows["country"].dtype == texts
            assert rows["country"].tolist()[0] == "Chad"
            assert rows["country"].isna().tolist() == [False, True, False]
            null = rows["country"].tolist()[1]
            assert np.isnan(null) if inferring else null is None
        assert pinetl.clean_json(GEO, "geo").rejects["reason"].dtype == texts


def test_text_way_is_chosen_right_before_pandas_loads(tmp_path):
    # read_json opens its reader (str objects or Arrow chunks for the text columns) before it
    # loads pandas; the choice made then must be the one pandas gives once loaded.
    path = tmp_path / "geo.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in GEO))
    code = ("import sys, pinetl\nfrom pinetl._lazy import arrow_text\n"
            "before = arrow_text()\nassert 'pandas' not in sys.modules\n"
            "rows = pinetl.read_json(sys.argv[1], 'geo').rows\n"
            "print(before, arrow_text(), rows['country'].dtype, rows['country'].tolist())")
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True,
                         check=True).stdout.split(" ", 3)
    expected = "False" if PANDAS_MAJOR < 3 else "True"
    assert out[:3] == [expected, expected, "object" if PANDAS_MAJOR < 3 else "str"]
    assert out[3].strip() == ("['Chad', None, 'None']" if PANDAS_MAJOR < 3
                              else "['Chad', nan, 'None']")



def test_pandas_and_pyarrow_load_without_garbage_collections_and_the_collector_stays(tmp_path):
    # pinetl loads pandas and pyarrow with the cyclic collector paused: their imports make some
    # hundred thousand objects and no garbage, so collections during them only cost. Afterwards
    # the collector is on or off as the program had it, also when the import fails.
    code = ("import gc, sys\nfrom pinetl import _lazy\n"
            "runs = []\n"
            "gc.callbacks.append(lambda phase, info: runs.append(phase))\n"
            "if sys.argv[1] == 'off':\n    gc.disable()\n"
            "_lazy.module('pyarrow')\n_lazy.pandas()\n"
            "print(runs.count('start'), gc.isenabled())")
    for state, enabled in (("on", "True"), ("off", "False")):
        out = subprocess.run([sys.executable, "-c", code, state], capture_output=True,
                             text=True, check=True).stdout.split()
        assert out == ["0", enabled]
    failing = ("import gc, sys\nfrom pinetl import _lazy\nsys.modules['pandas'] = None\n"
               "try:\n    _lazy.pandas()\nexcept ImportError:\n    print(gc.isenabled())\n")
    out = subprocess.run([sys.executable, "-c", failing], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["True"]
