"""pinetl: cleaning and insights of the Pinterest pipeline, from Python.

A thin CFFI binding over libpinetl: every rule lives in C; Python moves whole batches in and whole
columns out. Every call that reads takes its source first and the table second, as pandas,
polars and pyarrow read: read_json(path, "pin"), clean_json(data, "pin"),
Warehouse.load(paths, "pin").

The top level holds the common calls (pandas output); the rest is grouped in submodules:
pinetl.arrow (the same reads with pyarrow output), pinetl.scalar (one-value rules),
pinetl.errors (the exception classes), pinetl.warehouse (the warehouse and the insights),
pinetl.pandas (DataFrame in, DataFrame out: Dask, mapInPandas), pinetl.spark (PySpark glue;
imports pyspark only when called), pinetl.delta (Delta tables with deltalake), pinetl.streamlog
(stream logs), pinetl.s3sink (the Kafka Connect S3 sink layout), pinetl.files (atomic writes).

The pipeline around it (source database, emulator, Kafka, the daily chain, Airflow and
Databricks jobs, report) is the separate package pinetl_pipeline, which imports pinetl and is
never imported by it."""
from __future__ import annotations

import importlib
import warnings
from typing import Any

from ._errors import Error
from ._scalar import columns, tables, version
from ._columns import REJECT_COLUMNS, TimestampRangeWarning
from ._clean import CleanResult, clean_json, read_json
from ._warehouse import Warehouse, insights

__version__ = version()

__all__ = ["read_json", "clean_json", "CleanResult", "REJECT_COLUMNS", "Warehouse", "insights",
           "tables", "columns", "version", "Error", "TimestampRangeWarning"]

_SUBMODULES = ("arrow", "scalar", "errors", "warehouse", "pandas", "spark", "delta", "streamlog",
               "s3sink", "files")

# Names of 0.1 that moved into a submodule: still found here for one release, with a
# DeprecationWarning that names the new place. pinetl.clean_arrow keeps its old argument order
# (table, data); its new place, pinetl.arrow.clean_json, takes (data, table).
_MOVED = {
    **{n: ("scalar", n) for n in ("age", "age_group", "follower_count", "format_double",
                                  "format_timestamp", "key", "parse_timestamp", "save_location",
                                  "timestamp_us", "timestamp_year")},
    **{n: ("errors", n) for n in ("FormatError", "InvalidArgumentError", "NotFoundError",
                                  "PinetlIOError", "PinetlMemoryError", "SQLError")},
    **{n: ("warehouse", n) for n in ("Result", "compute_insights", "insight_names",
                                     "insight_sql")},
    "ArrowResult": ("arrow", "ArrowResult"), "read_arrow": ("arrow", "read_json"),
    "clean_arrow": ("arrow", "clean_json"), "arrow_schema": ("arrow", "schema"),
    "arrow_view_schema": ("arrow", "view_schema"),
    "arrow_rejects_schema": ("arrow", "rejects_schema"),
}


def _clean_arrow(table: Any, data: Any, **options: Any) -> Any:
    """0.1's pinetl.clean_arrow(table, data): pinetl.arrow.clean_json(data, table)."""
    from .arrow import clean_json as arrow_clean_json
    return arrow_clean_json(data, table, **options)


def __getattr__(name: str) -> Any:
    # The submodules load on first use (pinetl.spark imports nothing heavy until called).
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _MOVED:
        module, new = _MOVED[name]
        order = " (data first: clean_json(data, table))" if name == "clean_arrow" else ""
        warnings.warn(f"pinetl.{name} is deprecated and goes in the next release: use "
                      f"pinetl.{module}.{new}{order}", DeprecationWarning, stacklevel=2)
        if name == "clean_arrow":
            return _clean_arrow
        return getattr(importlib.import_module(f"{__name__}.{module}"), new)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(list(globals()) + list(_SUBMODULES))
