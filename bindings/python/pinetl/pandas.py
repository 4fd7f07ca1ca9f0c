"""pandas in, pandas out: the functions a Dask map_partitions or a PySpark mapInPandas calls.

A DataFrame of raw records is either one row per record with the raw fields as columns (what
pandas.read_json(lines=True) or spark.read.json give), or, with column=, one column holding each
record's JSON text (a Kafka value, a line of a text file). Every call makes one batch: one call
into C for the whole frame."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ._clean import is_missing, clean_batch, record_text, texts_blob
from ._columns import empty_frame, rejects_frame
from ._ffi import lib
from ._scalar import table_columns, table_id
from ._types import Table

__all__ = ["clean", "rejects", "clean_with_rejects", "meta", "follower_count", "timestamp", "age"]


def _blob(df: pd.DataFrame, column: str | None) -> tuple[bytes, NDArray[np.int64]]:
    if column is not None:
        # A missing value is an empty record: a rejected row, never a silently dropped one.
        texts = [b"" if is_missing(v) else record_text(v) for v in df[column].tolist()]
    else:
        texts = [record_text(r) for r in df.to_dict("records")]
    return texts_blob(texts)


def clean_with_rejects(df: pd.DataFrame, table: Table, column: str | None = None,
                       source: str = "<dataframe>") -> tuple[pd.DataFrame, pd.DataFrame]:
    """(cleaned, rejects) for a DataFrame of raw records of one table.

    cleaned keeps the input's index labels of the rows that were cleaned, columns in the spec's
    order with the dtypes of pinetl.read_json. rejects has one row per rejected input row:
    REJECT_COLUMNS plus "index", the input row's index label (line is the row's 1-based position)."""
    if column is not None and column not in df.columns:
        raise KeyError(f"column {column!r} is not in the DataFrame (columns: {list(df.columns)})")
    blob, offsets = _blob(df, column)
    part, _ = clean_batch(table_id(table), blob=blob, offsets=offsets, source=source)
    keep = np.ones(len(df), dtype=bool)
    positions = np.array([r["line"] - 1 for r in part.rejects], dtype=np.int64)
    keep[positions] = False
    cleaned = part.frame(index=df.index[keep])
    rej = part.rejects_frame()
    rej["index"] = df.index[positions] if len(positions) else pd.Series([], dtype=object)
    return cleaned, rej


def clean(df: pd.DataFrame, table: Table, column: str | None = None) -> pd.DataFrame:
    """The cleaned rows of a DataFrame of raw records (rejected rows left out; see
    clean_with_rejects to keep them). For dask: ddf.map_partitions(pinetl.pandas.clean, "pin")."""
    return clean_with_rejects(df, table, column)[0]


def rejects(df: pd.DataFrame, table: Table, column: str | None = None) -> pd.DataFrame:
    """The rejected rows of a DataFrame of raw records, with reason and message."""
    return clean_with_rejects(df, table, column)[1]


def meta(table: Table) -> pd.DataFrame:
    """An empty DataFrame with the cleaned table's columns and dtypes (dask's meta=)."""
    return empty_frame(table)


def reject_meta() -> pd.DataFrame:
    """An empty DataFrame shaped like rejects(), with its dtypes."""
    frame = rejects_frame([])
    frame["index"] = pd.Series([], dtype=object)
    return frame


def _one_column(series: pd.Series, table: Table, key: str, field: str, column: int) -> Any:
    # Each value goes through the same batch cleaning as a record's field: one record per value.
    records = [{key: i, field: v} for i, v in enumerate(series.tolist())]
    blob_parts = [record_text(r) for r in records]
    offsets = np.zeros(len(blob_parts) + 1, dtype=np.int64)
    if blob_parts:
        np.cumsum([len(t) for t in blob_parts], out=offsets[1:])
    t = table_id(table)
    part, _ = clean_batch(t, blob=b"".join(blob_parts), offsets=offsets)
    names = [n for n, _ in table_columns(t)]
    frame = part.frame(index=series.index)
    out = frame[names[column]]
    out.name = series.name
    return out


def follower_count(series: pd.Series) -> pd.Series:
    """follower_count of every value of a Series ("26k", "1.5M", 437, ...) as nullable Int64."""
    return _one_column(series, "pin", "index", "follower_count", lib.PINETL_PIN_FOLLOWER_COUNT)


def timestamp(series: pd.Series) -> pd.Series:
    """Timestamps of every value of a Series (texts or epoch seconds) as datetime64[ns, UTC]."""
    return _one_column(series, "geo", "ind", "timestamp", lib.PINETL_GEO_TIMESTAMP)


def age(series: pd.Series) -> pd.Series:
    """age of every value of a Series (25, 25.0, "25") as nullable Int64; None outside 0..150."""
    return _one_column(series, "user", "ind", "age", lib.PINETL_USER_AGE)
