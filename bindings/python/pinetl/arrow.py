"""Cleaned rows and rejects as Arrow tables (pyarrow), without copying the cleaned columns.

    import pinetl.arrow
    res = pinetl.arrow.read_json("landing/", "pin")        # ArrowResult: rows, rejects, ...
    frame = polars.from_arrow(res.rows)
    res = pinetl.arrow.clean_json(kafka_values, "pin")      # a pyarrow string/binary array

Named as pyarrow.json.read_json is: the function says what it reads (JSON), the module what it
returns (Arrow); pinetl.read_json and pinetl.clean_json are the same calls with pandas output."""
from ._arrow import ArrowResult, clean_json, read_json
from ._cdata import rejects_schema, schema, view_schema

__all__ = ["read_json", "clean_json", "ArrowResult", "schema", "view_schema", "rejects_schema"]
