"""Cleaned rows and rejects as Arrow tables (pyarrow), through the Arrow C Data Interface.

libpinetl exports each batch as two Arrow struct arrays, cleaned rows and rejects, in one call
(include/pinetl/arrow.h): the columns point into the batch's memory (zero-copy; the text bytes are
never copied) and the batch is freed when pyarrow releases the last array that uses it. pyarrow
imports them without copying either (RecordBatch._import_from_c), so a Table from read_json
holds the batches' buffers themselves, one chunk per batch. read_json's text columns are
string_view by default: views into the memory-mapped input file, so a text that needs no
decoding is not even copied once. polars takes it over with
pl.from_arrow (numeric and timestamp columns without a copy)."""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

from ._cdata import _pa, _ptr, rejects_schema, rows_schema
from ._clean import READ_JSON_BATCH_BYTES, _new_batch, _options, _stats_dict, open_reader
from ._ffi import as_bytes, check, ffi, lib, text
from ._scalar import table_id
from ._types import CData, Paths, Stats, Table

if TYPE_CHECKING:
    import pyarrow as pa


class ArrowResult(NamedTuple):
    """rows: pyarrow.Table of the cleaned rows (schema: schema(table), or view_schema(table)
    from read_json's default strings="string_view"); rejects: pyarrow.Table (schema:
    rejects_schema(); raw is binary, as the record arrived); stats:
    the run's totals (dict, as the CLI's summary); notices: the reader's non-fatal notes."""
    rows: pa.Table
    rejects: pa.Table
    stats: Stats
    notices: list[str]


class _Batches:
    """Imports exported batches into record batches; one C call per batch."""

    __slots__ = ("pa", "schema", "rejects_schema", "rows", "rejects", "c_rows", "c_rejects")

    def __init__(self, t: int, views: bool = False) -> None:
        self.pa = _pa()
        self.schema = rows_schema(t, views)
        self.rejects_schema = rejects_schema()
        self.rows: list[pa.RecordBatch] = []
        self.rejects: list[pa.RecordBatch] = []
        self.c_rows = ffi.new("struct ArrowArray *")
        self.c_rejects = ffi.new("struct ArrowArray *")

    def add(self, export: Any, *args: Any, exported: Callable[[], object] | None = None) -> None:
        check(export(self.c_rows, self.c_rejects, *args))
        if exported is not None:
            exported()
        # Both structs are moved into pyarrow before anything can fail, so neither leaks.
        rb = self.pa.RecordBatch._import_from_c(_ptr(self.c_rows), self.schema)
        rj = self.pa.RecordBatch._import_from_c(_ptr(self.c_rejects), self.rejects_schema)
        if rb.num_rows:
            self.rows.append(rb)
        if rj.num_rows:
            self.rejects.append(rj)

    def tables(self) -> tuple[pa.Table, pa.Table]:
        pa = self.pa
        return (pa.Table.from_batches(self.rows, schema=self.schema),
                pa.Table.from_batches(self.rejects, schema=self.rejects_schema))


_STRINGS = ("large_string", "string_view")


def read_json(path: Paths, table: Table, *, input_format: str | int = "auto", threads: int = 0,
              batch_bytes: int = 0, strings: str = "string_view") -> ArrowResult:
    """pinetl.read_json with Arrow output: reads and cleans files or Kafka Connect S3 sink directories
    ("-" is standard input) with the library's streaming reader (worker threads) into a
    pyarrow.Table, one chunk per batch, without copying the cleaned columns.

    path: a path or a list of paths; threads: worker threads (0 = one per core); batch_bytes:
    input bytes per batch (0 = 4 MiB). Returns an ArrowResult (rows, rejects, stats, notices).

    strings: how text columns come out.
      "string_view" (the default): pyarrow.string_view() columns whose values point into the
        input file itself, which the library maps into memory and keeps mapped while any of the
        table's batches lives; only texts that needed decoding (JSON escapes, base64 envelopes,
        a user's joined name) are copied. The fastest and the least memory; polars and DuckDB
        take these columns as they are, pyarrow converts them to pandas. Do not truncate a file
        while a table read from it is in use (the process would get SIGBUS, as with any mapped
        file). Standard input and pipes cannot be mapped: their texts are copied.
      "large_string": pyarrow.large_string() columns, every text copied into the batch
        (schema(table)): for consumers without string_view support, and for data that
        must not keep the input file mapped."""
    paths = [path] if isinstance(path, (str, bytes, os.PathLike)) else list(path)
    if not paths:
        raise ValueError("read_json: no path given")
    if strings not in _STRINGS:
        raise ValueError(f"read_json: strings must be one of {', '.join(_STRINGS)}, not {strings!r}")
    t = table_id(table)
    views = strings == "string_view"
    reader = open_reader(t, paths, input_format=input_format, threads=threads,
                         batch_bytes=batch_bytes or READ_JSON_BATCH_BYTES, text_views=views)
    try:
        batches = _Batches(t, views)
        batch = ffi.new("pinetl_batch **")
        # The workers clean the next batches meanwhile (C releases the GIL); each batch handed
        # out is taken over by its arrays, so the reader goes on with a new one.
        while check(lib.pinetl_reader_step(batch, reader)) == lib.PINETL_BATCH:
            batches.add(lib.pinetl_arrow_export_reader, reader)
        stats = ffi.new("pinetl_stats *")
        lib.pinetl_reader_stats(stats, reader)
        notices = [n for n in (text(lib.pinetl_reader_notices(reader)) or "").split("\n") if n]
    finally:
        ffi.release(reader)
    rows, rejects = batches.tables()
    return ArrowResult(rows, rejects, _stats_dict(stats), notices)


POSITION_COLUMNS = ("_source", "_line", "_offset")

# Positions gathered batch by batch: source codes, lines, offsets, {source name: code}.
_Where = tuple[list[Any], list[Any], list[Any], dict[str, int]]


def clean_json(data: str | bytes | bytearray | memoryview | pa.Array | pa.ChunkedArray,
               table: Table, *, input_format: str | int = "auto", source: str | bytes | None = None,
               first_line: int = 1, positions: bool = False) -> ArrowResult:
    """pinetl.clean_json with Arrow output, in one call into C.

    data: str/bytes holding JSON lines, arrays, Kafka or Kinesis envelopes (as a file would), or
    a pyarrow string/binary array (or chunked array) of records, one JSON text per element (a
    Kafka `value` or Kinesis `data` column): its buffers go to C as they are when the array is
    large_string/large_binary without nulls, else after one cast. Returns an ArrowResult.

    positions=True appends each cleaned row's position as the library recorded it (SPEC.md,
    "Positions"): _source (string), _line and _offset (int64), as the rejects carry them; what
    "later" orders by (SPEC.md, "Later")."""
    t = table_id(table)
    keep: list[CData] = []
    opts = _options(input_format, source, first_line, keep)
    batches = _Batches(t)
    stats = ffi.new("pinetl_stats *")
    lib.pinetl_stats_init(stats, t)
    where: _Where = ([], [], [], {})
    for chunk in _record_chunks(data):
        batch = _new_batch(t)
        if isinstance(chunk, bytes):
            check(lib.pinetl_batch_clean(batch, chunk, len(chunk), opts))
        else:
            blob, offsets, n = chunk
            check(lib.pinetl_batch_clean_records(batch, blob, offsets, n, opts))
            opts.first_line += n
        lib.pinetl_stats_add_batch(stats, batch)
        if positions:
            _cleaned_positions(batch, where)
        # Once exported, the arrays own the batch: the gc hook must not free it too.
        batches.add(lib.pinetl_arrow_export_batch, batch, exported=lambda: ffi.gc(batch, None))
    rows, rejects = batches.tables()
    if positions:
        rows = _with_positions(rows, where)
    return ArrowResult(rows, rejects, _stats_dict(stats), [])


def _cleaned_positions(batch: CData, where: _Where) -> None:
    """Adds the batch's cleaned rows' positions (in row order, as the export keeps them) to
    where = (source codes, lines, offsets, {source name: code}), read from C's per-row arrays
    in bulk."""
    import numpy as np
    n = lib.pinetl_batch_rows(batch)
    if n == 0:
        return
    kept = np.frombuffer(ffi.buffer(lib.pinetl_batch_status(batch), n), np.uint8) == 0
    ids = np.frombuffer(ffi.buffer(lib.pinetl_batch_source_ids(batch), n * 4), np.uint32)[kept]
    code = np.zeros(int(ids.max()) + 1 if ids.size else 1, np.int32)
    for i in np.unique(ids).tolist():
        name = text(lib.pinetl_batch_source_name(batch, i)) or ""
        code[i] = where[3].setdefault(name, len(where[3]))
    where[0].append(code[ids])
    for into, ptr in ((where[1], lib.pinetl_batch_lines(batch)),
                      (where[2], lib.pinetl_batch_offsets(batch))):
        into.append(np.frombuffer(ffi.buffer(ptr, n * 8), np.int64)[kept])


def _with_positions(rows: pa.Table, where: _Where) -> pa.Table:
    """rows with POSITION_COLUMNS appended from where (see _cleaned_positions)."""
    import numpy as np
    pa = _pa()
    codes, lines, offsets = (np.concatenate(v) if v else np.zeros(0, t)
                             for v, t in zip(where[:3], (np.int32, np.int64, np.int64)))
    source = pa.DictionaryArray.from_arrays(
        pa.array(codes, pa.int32()), pa.array(list(where[3]), pa.string())).dictionary_decode()
    for name, values in zip(POSITION_COLUMNS, (source, pa.array(lines), pa.array(offsets))):
        rows = rows.append_column(name, values)
    return rows


def _record_chunks(data: object) -> Iterator[bytes | tuple[CData, CData, int]]:
    """bytes (one wrapped input), or per chunk of a pyarrow array: (blob, offsets, n)."""
    if isinstance(data, (str, bytes, bytearray, memoryview)):
        yield as_bytes(data, "data")
        return
    pa = _pa()
    if isinstance(data, pa.ChunkedArray):
        chunks = data.chunks
    elif isinstance(data, pa.Array):
        chunks = [data]
    else:
        raise TypeError("data must be str, bytes or a pyarrow string/binary array, "
                        f"not {type(data).__name__}")
    for arr in chunks:
        if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type) or
                pa.types.is_binary(arr.type) or pa.types.is_large_binary(arr.type) or
                pa.types.is_string_view(arr.type) or pa.types.is_binary_view(arr.type)):
            raise TypeError(f"records must be a string or binary array, not {arr.type}")
        if not pa.types.is_large_binary(arr.type):
            arr = arr.cast(pa.large_binary())
        if arr.null_count:
            # A null record is an empty slice: a rejected row, as an empty record is.
            arr = arr.fill_null(b"")
        _, offsets_buf, data_buf = arr.buffers()
        n = len(arr)
        offs = ffi.cast("const int64_t *", offsets_buf.address) + arr.offset
        blob = ffi.cast("const char *", data_buf.address) if data_buf is not None else b""
        yield blob, offs, n
        # arr (and so its buffers) lives until the generator resumes, after the C call.
