"""pinetl.pandas: DataFrame of raw records in, cleaned DataFrame out (what Dask and Spark call)."""
import json

import numpy as np
import pandas as pd
import pytest

import pinetl
import pinetl.pandas as pp
from compare import TEXT_DTYPE, frame_rows


def _raw_lines(sample, table, n=None):
    lines = [line for line in open(sample(table), "rb").read().splitlines() if line.strip()]
    return lines[:n] if n else lines


@pytest.mark.parametrize("table", ["pin", "geo", "user"])
def test_json_text_column_equals_clean_json(sample, table):
    lines = _raw_lines(sample, table)
    df = pd.DataFrame({"value": [line.decode() for line in lines]})
    cleaned = pp.clean(df, table, column="value")
    expected = pinetl.clean_json(b"\n".join(lines) + b"\n", table).rows
    assert frame_rows(cleaned, table) == frame_rows(expected, table)
    assert list(cleaned.dtypes.astype(str)) == list(expected.dtypes.astype(str))


@pytest.mark.parametrize("table", ["pin", "geo", "user"])
def test_raw_fields_as_columns_equal_clean_json(sample, table):
    # What pandas.read_json(lines=True) or spark.read.json hand over: one column per raw field,
    # NaN where a record lacks a field, numbers as NumPy scalars.
    lines = _raw_lines(sample, table)
    records = [json.loads(line) for line in lines]
    df = pd.DataFrame.from_records(records)
    cleaned = pp.clean(df, table)
    expected = pinetl.clean_json(lines, table).rows
    assert frame_rows(cleaned, table) == frame_rows(expected, table)


def test_index_labels_follow_the_rows():
    df = pd.DataFrame({"value": ['{"index": 1}', '{"index": "x"}', None, '{"index": 4}']},
                      index=[10, 20, 30, 40])
    cleaned, rejects = pp.clean_with_rejects(df, "pin", column="value")
    assert list(cleaned.index) == [10, 40]
    assert list(cleaned["ind"]) == [1, 4]
    assert list(rejects["index"]) == [20, 30]
    assert list(rejects["reason"]) == ["bad_key", "invalid_json"]
    assert list(rejects["line"]) == [2, 3]
    assert len(cleaned) + len(rejects) == len(df)


def test_unknown_column_is_a_key_error():
    with pytest.raises(KeyError, match="json"):
        pp.clean(pd.DataFrame({"value": []}), "pin", column="json")


def test_meta_is_the_empty_cleaned_frame():
    meta = pp.meta("geo")
    assert meta.empty
    assert list(meta.columns) == ["ind", "country", "coordinates", "timestamp"]
    assert list(meta.dtypes.astype(str)) == ["Int64", TEXT_DTYPE, "object", "datetime64[ns, UTC]"]
    empty = pp.clean(pd.DataFrame({"value": pd.Series([], dtype=object)}), "geo", column="value")
    pd.testing.assert_frame_equal(empty.reset_index(drop=True), meta)


def test_series_helpers_use_the_batch_rules():
    s = pd.Series(["26k", "User Info Error", 437, None, np.nan, "1.5M"], name="fc")
    out = pp.follower_count(s)
    assert out.name == "fc" and str(out.dtype) == "Int64"
    assert out.astype(object).where(out.notna(), None).tolist() == [26000, None, 437, None, None,
                                                                     1500000]
    ts = pp.timestamp(pd.Series(["2020-08-28 03:52:47", 1598586767, "bad"]))
    assert ts.tolist()[:2] == [pd.Timestamp("2020-08-28T03:52:47Z")] * 2 and ts.isna().tolist()[2]
    ages = pp.age(pd.Series([25, "30", 200]))
    assert ages.astype(object).where(ages.notna(), None).tolist() == [25, 30, None]


def test_timestamps_outside_datetime64_ns_warn_and_become_nat():
    with pytest.warns(pinetl.TimestampRangeWarning, match="1677..2262"):
        res = pinetl.clean_json([{"ind": 1, "timestamp": "1600-01-01 00:00:00"}], "geo")
    assert res.rows["timestamp"].isna().all()
