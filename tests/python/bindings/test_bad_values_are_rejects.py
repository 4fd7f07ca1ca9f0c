"""A value Python holds but JSON cannot (a lone surrogate in a str, ±inf) makes its record a reject
with a reason; the call goes on with the other records. (It raised UnicodeEncodeError or
ValueError and aborted the whole call.)"""
import json
import math

import pandas as pd

import pinetl
import pinetl.pandas as pp

LONE_SURROGATE = json.loads('"\\ud800"')


def test_clean_json_rejects_lone_surrogate_and_inf_records():
    res = pinetl.clean_json([
        {"ind": 1, "country": LONE_SURROGATE},
        {"ind": 2, "latitude": math.inf, "country": "Chad"},
        {"ind": 3, "longitude": -math.inf, "country": "Chad"},
        {"ind": 4, "country": "Chad"},
        '{"ind": 5, "country": "%s"}' % LONE_SURROGATE,
    ], "geo")
    assert list(res.rows["ind"]) == [4]
    assert list(res.rejects["line"]) == [1, 2, 3, 5]
    assert list(res.rejects["reason"]) == ["invalid_utf8", "invalid_json", "invalid_json",
                                           "invalid_utf8"]
    assert res.stats["read"] == 5 and res.stats["rejected"] == 4


def test_clean_json_text_with_a_lone_surrogate_rejects_that_line_only():
    text = '{"ind": 1, "country": "Chad"}\n{"ind": 2, "country": "%s"}\n' % LONE_SURROGATE
    res = pinetl.clean_json(text, "geo")
    assert list(res.rows["ind"]) == [1]
    assert list(res.rejects["line"]) == [2]


def test_pandas_clean_with_rejects_column_form():
    # dtype=object: pandas 3's "str" columns cannot hold a lone surrogate at all.
    df = pd.DataFrame({"v": ['{"ind": 1}', '{"ind": 2, "country": "%s"}' % LONE_SURROGATE]},
                      dtype=object)
    rows, rejects = pp.clean_with_rejects(df, "geo", column="v")
    assert list(rows["ind"]) == [1]
    assert list(rejects["reason"]) == ["invalid_utf8"]


def test_pandas_clean_with_rejects_field_form():
    df = pd.DataFrame({"ind": [1, 2, 3], "latitude": [math.inf, 3.0, -math.inf],
                       "country": pd.Series(["a", LONE_SURROGATE, "c"], dtype=object)})
    rows, rejects = pp.clean_with_rejects(df, "geo")
    assert rows.empty or list(rows["ind"]) == []
    assert list(rejects["index"]) == [0, 1, 2]
    assert set(rejects["reason"]) == {"invalid_json", "invalid_utf8"}
