"""The Arrow C Data Interface: the library's Arrow schemas and exported batches, taken over by
pyarrow without a copy (include/pinetl/arrow.h).

Below both users of the export: the pandas columns (_columns: a reader's batch becomes the Arrow
chunks of pandas 3's text columns) and the Arrow readers (_arrow). pyarrow loads on first use."""
from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING, Any

from ._ffi import check, ffi, lib
from ._lazy import module
from ._scalar import table_id
from ._types import CData, Table

if TYPE_CHECKING:
    import pyarrow as pa


def _pa() -> ModuleType:
    pyarrow: ModuleType = module("pyarrow")
    return pyarrow


def _ptr(cdata: CData) -> int:
    return int(ffi.cast("uintptr_t", cdata))


def _import_schema(export: Any, *args: Any) -> pa.Schema:
    pa = _pa()
    c_schema = ffi.new("struct ArrowSchema *")
    check(export(c_schema, *args))
    # pyarrow moves the struct (and calls its release when done with it).
    return pa.Schema._import_from_c(_ptr(c_schema))


def schema(table: Table) -> pa.Schema:
    """The pyarrow.Schema of a table's cleaned rows: int64 ind and counts, large_string texts,
    timestamp[us, tz=UTC], coordinates as fixed_size_list<double>[2] ([latitude, longitude])."""
    return rows_schema(table_id(table))


def view_schema(table: Table) -> pa.Schema:
    """schema() with string_view text columns: the schema of pinetl.arrow.read_json's rows (its
    default, strings="string_view")."""
    return rows_schema(table_id(table), views=True)


def rows_schema(t: int, views: bool = False) -> pa.Schema:
    """schema() or view_schema() of a C pinetl_table value."""
    export = lib.pinetl_arrow_view_schema if views else lib.pinetl_arrow_schema
    return _import_schema(export, t)


def rejects_schema() -> pa.Schema:
    """The pyarrow.Schema of rejects: table, source, line, offset, reason, message, raw
    (large_binary)."""
    return _import_schema(lib.pinetl_arrow_rejects_schema)


def export_reader_rows(reader: CData, schema: pa.Schema) -> pa.RecordBatch:
    """The cleaned rows of the batch the reader handed out last, as a pyarrow.RecordBatch of
    schema that owns the batch (the reader goes on with a new one)."""
    c_rows = ffi.new("struct ArrowArray *")
    check(lib.pinetl_arrow_export_reader(c_rows, ffi.NULL, reader))
    return _pa().RecordBatch._import_from_c(_ptr(c_rows), schema)
