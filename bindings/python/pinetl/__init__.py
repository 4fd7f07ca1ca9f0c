"""pinetl: cleaning and insights of the Pinterest pipeline, from Python.

A thin CFFI binding over libpinetl: every rule lives in C; Python moves whole batches in and whole
columns out. Submodules: pinetl.pandas (DataFrame in, DataFrame out: Dask, mapInPandas),
pinetl.spark (PySpark glue; imports pyspark only when called), pinetl.delta (Delta tables
with deltalake), pinetl.airflow (PythonOperator
callables; imports nothing from Airflow)."""
import importlib

from ._errors import (Error, FormatError, InvalidArgumentError, NotFoundError,
                      PinetlIOError, PinetlMemoryError, RejectError, SQLError)
from ._scalar import (age, age_group, age_groups, columns, follower_count, format_double,
                      format_timestamp, key, parse_timestamp, save_location, tables,
                      timestamp_us, timestamp_year, version)
from ._columns import REJECT_COLUMNS, TimestampRangeWarning
from ._clean import CleanResult, clean_json, read_json
from ._arrow import (ArrowResult, arrow_rejects_schema, arrow_schema, arrow_view_schema,
                     clean_arrow, read_arrow)
from ._warehouse import (Result, Warehouse, compute_insights, insight_names,
                         insight_sql, insight_years, insights)

__version__ = version()

__all__ = [
    "Error", "FormatError", "InvalidArgumentError", "NotFoundError", "PinetlIOError",
    "PinetlMemoryError", "RejectError", "SQLError", "TimestampRangeWarning",
    "age", "age_group", "age_groups", "columns", "follower_count", "format_double", "format_timestamp", "key",
    "parse_timestamp", "save_location", "tables", "timestamp_us", "timestamp_year", "version",
    "REJECT_COLUMNS", "CleanResult", "clean_json", "read_json",
    "ArrowResult", "arrow_rejects_schema", "arrow_schema", "arrow_view_schema", "clean_arrow",
    "read_arrow",
    "Result", "Warehouse", "compute_insights", "insight_names", "insight_sql", "insight_years",
    "insights",
]

_SUBMODULES = ("pandas", "spark", "delta", "airflow")


def __getattr__(name):
    # pinetl.spark and pinetl.airflow load on first use; they import nothing heavy themselves.
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_SUBMODULES))
