"""The Arrow C Data Interface glue below the readers: the cleaned rows' schema and the export
of a reader's batch as a pyarrow.RecordBatch. Apart from _arrow so that the column collector
(_columns, which _clean and so _arrow use) can take a batch over without importing _arrow: the
import graph stays one way (tests/structure/test_layers_python.py)."""
from ._ffi import check, ffi, lib
from ._scalar import table_id


def _pa():
    import pyarrow
    return pyarrow


def _ptr(cdata):
    return int(ffi.cast("uintptr_t", cdata))


def _import_schema(export, *args):
    pa = _pa()
    c_schema = ffi.new("struct ArrowSchema *")
    check(export(c_schema, *args))
    # pyarrow moves the struct (and calls its release when done with it).
    return pa.Schema._import_from_c(_ptr(c_schema))


def arrow_schema(table):
    """The pyarrow.Schema of a table's cleaned rows: int64 ind and counts, large_string texts,
    timestamp[us, tz=UTC], coordinates as fixed_size_list<double>[2] ([latitude, longitude])."""
    return _import_schema(lib.pinetl_arrow_schema, table_id(table))


def export_reader_rows(reader, schema):
    """The cleaned rows of the batch the reader handed out last, as a pyarrow.RecordBatch of
    schema that owns the batch (the reader goes on with a new one)."""
    c_rows = ffi.new("struct ArrowArray *")
    check(lib.pinetl_arrow_export_reader(c_rows, ffi.NULL, reader))
    return _pa().RecordBatch._import_from_c(_ptr(c_rows), schema)
