"""PySpark glue (Databricks and elsewhere): cleaning through mapInPandas, pandas UDFs.

pyspark is imported only inside the functions that need it, so `import pinetl.spark` works
without it. Everything here is a thin shell around pinetl.pandas; the schemas are generated from
the C library's column list, as DDL strings that mapInPandas and pandas_udf accept.

    from pinetl import spark as ps
    raw = spark.read.json("/mnt/landing/pin/")          # raw fields as columns
    pin = ps.clean_pin(raw)                               # cleaned, typed rows
    bad = ps.rejects(raw, "pin")                          # rejected rows with reasons
"""
import base64

import pandas as pd

from . import pandas as pp
from ._scalar import age_group as _age_group
from ._scalar import columns

_SPARK_TYPES = {"int64": "BIGINT", "text": "STRING", "coords": "ARRAY<DOUBLE>",
                "timestamp": "TIMESTAMP"}

REJECT_SCHEMA = ("`table` STRING, `source` STRING, `line` BIGINT, `offset` BIGINT, "
                 "`reason` STRING, `message` STRING, `raw` STRING, `raw_base64` STRING")


def schema(table):
    """The cleaned table's Spark schema as a DDL string, e.g. "`ind` BIGINT, `unique_id` STRING,
    ..."; columns and types come from the C library."""
    return ", ".join(f"`{name}` {_SPARK_TYPES[kind]}" for name, kind in columns(table))


def to_spark_frame(df):
    """A cleaned pandas frame in the form Arrow hands to Spark: nullable Int64 columns become
    object columns of int/None (older Spark versions reject pandas extension dtypes)."""
    out = df.reset_index(drop=True)
    for name in out.columns:
        if isinstance(out[name].dtype, pd.Int64Dtype):
            col = out[name].astype(object)
            out[name] = col.where(out[name].notna(), None)
    return out


def to_spark_rejects(rej):
    """A rejects frame (pinetl.pandas.rejects) shaped like REJECT_SCHEMA: raw as text, or
    raw_base64 when the record's bytes are not UTF-8."""
    raw = [r if isinstance(r, str) else None for r in rej["raw"].tolist()]
    b64 = [None if isinstance(r, str) else base64.b64encode(r).decode("ascii")
           for r in rej["raw"].tolist()]
    out = rej[["table", "source", "line", "offset", "reason", "message"]].reset_index(drop=True)
    out["raw"] = pd.Series(raw, dtype=object)
    out["raw_base64"] = pd.Series(b64, dtype=object)
    return out


def clean_partitions(table, column=None):
    """The function mapInPandas runs: an iterator of raw pandas frames -> cleaned frames."""
    def run(frames):
        for frame in frames:
            yield to_spark_frame(pp.clean(frame, table, column))
    return run


def reject_partitions(table, column=None):
    """The function mapInPandas runs for rejects: raw frames -> rejects frames."""
    def run(frames):
        for frame in frames:
            yield to_spark_rejects(pp.rejects(frame, table, column))
    return run


def clean(df, table, column=None):
    """Cleans a Spark DataFrame of raw records of one table (raw fields as columns, or one column
    of JSON text named by column=) into the cleaned table; rejected rows are left out."""
    return df.mapInPandas(clean_partitions(table, column), schema(table))


def rejects(df, table, column=None):
    """The rejected rows of a Spark DataFrame of raw records, with reason and message."""
    return df.mapInPandas(reject_partitions(table, column), REJECT_SCHEMA)


def clean_pin(df, column=None):
    return clean(df, "pin", column)


def clean_geo(df, column=None):
    return clean(df, "geo", column)


def clean_user(df, column=None):
    return clean(df, "user", column)


def _pandas_udf(return_type, func):
    from pyspark.sql.functions import pandas_udf
    return pandas_udf(func, return_type)


def _ints(series):
    return series.astype(object).where(series.notna(), None)


def follower_count_udf():
    """A pandas UDF: follower_count text ("26k") -> BIGINT."""
    return _pandas_udf("bigint", lambda s: _ints(pp.follower_count(s)))


def timestamp_udf():
    """A pandas UDF: timestamp text or epoch seconds -> TIMESTAMP."""
    return _pandas_udf("timestamp", lambda s: pp.timestamp(s))


def age_udf():
    """A pandas UDF: age value -> BIGINT (null outside 0..150)."""
    return _pandas_udf("bigint", lambda s: _ints(pp.age(s)))


def age_group_udf():
    """A pandas UDF: age (BIGINT) -> "18-24", "25-35", "36-50", "+50" or null."""
    return _pandas_udf("string", lambda s: s.map(
        lambda a: None if a is None or a != a else _age_group(int(a))).astype(object))
