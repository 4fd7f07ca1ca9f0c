"""Turns cleaned DataFrames and the CLI's JSON lines into the same plain Python values, so they
can be compared value for value (ints, str, [lat, lon] floats compared exactly, timestamps as
aware pandas Timestamps)."""
import json

import pandas as pd

import pinetl

# The dtype of pinetl's text columns: pandas' own default for text, object on pandas 2 and "str"
# (pd.StringDtype(na_value=np.nan), null as NaN) on pandas 3.
PANDAS_MAJOR = int(pd.__version__.split(".")[0])
TEXT_DTYPE = "str" if PANDAS_MAJOR >= 3 else "object"


def _ts(value):
    return None if value is None else pd.Timestamp(value).tz_convert("UTC")


def frame_rows(df, table):
    """Rows of a cleaned frame as lists of plain values, in column order."""
    kinds = dict(pinetl.columns(table))
    assert list(df.columns) == [n for n, _ in pinetl.columns(table)]
    cols = []
    for name in df.columns:
        values = df[name].tolist()
        if kinds[name] == "int64":
            values = [None if v is pd.NA else int(v) for v in values]
        elif kinds[name] == "timestamp":
            values = [None if v is pd.NaT else v for v in values]
        elif kinds[name] == "text":
            # null: None in an object column (pandas 2), NaN in a "str" one (pandas 3)
            values = [v if isinstance(v, str) else None if v is None or pd.isna(v) else v
                      for v in values]
        cols.append(values)
    return [list(r) for r in zip(*cols)] if cols else []


def cli_rows(jsonl, table):
    """Rows of the CLI's JSON lines output, as lists of plain values in column order."""
    kinds = pinetl.columns(table)
    rows = []
    for line in jsonl.decode("utf-8").splitlines():
        if not line.strip():
            continue
        obj = json.loads(line)
        assert list(obj) == [n for n, _ in kinds], "CLI keys are not in the spec's order"
        rows.append([_ts(obj[n]) if k == "timestamp" else obj[n] for n, k in kinds])
    return rows


def assert_same_rows(actual, expected):
    assert len(actual) == len(expected), f"{len(actual)} rows, expected {len(expected)}"
    for i, (a, e) in enumerate(zip(actual, expected)):
        assert a == e, f"row {i} differs:\n  python: {a}\n  cli:    {e}"
