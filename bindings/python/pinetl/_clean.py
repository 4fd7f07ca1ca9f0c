"""Cleaning entry points: in-memory data (clean_json) and files or directories (read_json).

Each batch crosses the FFI boundary once: the whole input goes in with one call, the results come
out as whole columns (see _columns)."""
from __future__ import annotations

import json
import math
import os
import stat
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from . import _lazy
from ._columns import Collector
from ._ffi import c_int64, c_path, c_string, check, ffi, lib, owned_string, record_bytes, text
from ._scalar import table_id
from ._types import CData, Paths, PathLike, Stats, Table

if TYPE_CHECKING:
    import pandas


class CleanResult(NamedTuple):
    """rows: the cleaned rows (DataFrame, spec's column order); rejects: DataFrame with columns
    table, source, line, offset, reason, message, raw; stats: the run's totals (dict, as the CLI's
    summary); notices: non-fatal notes of the reader (skipped files, ...)."""
    rows: pandas.DataFrame
    rejects: pandas.DataFrame
    stats: Stats
    notices: list[str]


def _input_format(name: str | bytes | int) -> int:
    if isinstance(name, int) and not isinstance(name, bool):
        return name
    out = ffi.new("pinetl_input_format *")
    check(lib.pinetl_input_format_from_name(out, c_string(name, "input_format")))
    fmt: int = out[0]
    return fmt


def open_reader(t: int, paths: Sequence[PathLike], *, input_format: str | int = "auto",
                threads: int = 0, batch_bytes: int = 0, dict_columns: int = 0,
                text_views: bool = False) -> CData:
    """The one reader set-up of the binding: a pinetl_reader of table t (a C pinetl_table value)
    over paths (bytes or str paths), freed by the garbage collector (or ffi.release)."""
    c_paths = [ffi.new("char[]", c_path(p)) for p in paths]
    c_array = ffi.new("const char *[]", c_paths)
    opts = ffi.new("pinetl_reader_options *")
    check(lib.pinetl_reader_options_init(opts, lib.PINETL_READER_OPTIONS_VERSION))
    opts.input_format = _input_format(input_format)
    opts.threads = threads
    opts.batch_bytes = batch_bytes
    opts.dict_columns = dict_columns
    opts.text_views = bool(text_views)
    out = ffi.new("pinetl_reader **")
    check(lib.pinetl_reader_open(out, t, c_array, len(paths), opts))
    return ffi.gc(out[0], lib.pinetl_reader_free)


def _new_batch(table: int) -> CData:
    out = ffi.new("pinetl_batch **")
    check(lib.pinetl_batch_new(out, table))
    return ffi.gc(out[0], lib.pinetl_batch_free)


def _options(input_format: str | int, source: str | bytes | None, first_line: int,
             keep: list[CData]) -> CData:
    opts = ffi.new("pinetl_clean_options *")
    check(lib.pinetl_clean_options_init(opts, lib.PINETL_CLEAN_OPTIONS_VERSION))
    opts.input_format = _input_format(input_format)
    if source is not None:
        name = ffi.new("char[]", c_string(source, "source"))
        keep.append(name)  # the C string must outlive the call
        opts.source = name
    opts.first_line = c_int64(first_line, "first_line")
    return opts


def _stats_dict(stats: CData) -> Stats:
    out = ffi.new("char **")
    check(lib.pinetl_stats_to_json(out, stats))
    totals: Stats = json.loads(owned_string(out[0]))
    return totals


def _json_default(value: object) -> Any:
    # What pandas and NumPy hand over beside plain Python values.
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    pd = _lazy.loaded("pandas")
    if pd is not None and isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        # Bytes that are not UTF-8 stay bytes that are not UTF-8 (via lone surrogates, which
        # record_bytes writes back as such): C rejects that record with its reason.
        return bytes(value).decode("utf-8", "surrogateescape")
    raise TypeError(f"a record value of type {type(value).__name__} is not JSON")


def is_missing(value: object) -> bool:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return True
    pd = _lazy.loaded("pandas")
    return pd is not None and (value is pd.NaT or value is pd.NA)


def record_text(record: object) -> bytes:
    """One record as JSON text: str/bytes as they are; a mapping as JSON, missing values (None,
    NaN, NaT, NA) left out, since a missing field and null clean alike; any other value as its
    JSON (C rejects what is not an object). A value JSON cannot hold (±inf, a lone surrogate,
    bytes that are not UTF-8) still gives text, which C then rejects with its reason; so does a
    record Python cannot write as JSON at all (nested too deeply, a value of another type): it
    goes to C as a short description, which is not JSON, so its reject says why in `raw`. A bad
    record makes a reject, never an exception that ends the call."""
    if isinstance(record, (str, bytes, bytearray, memoryview)):
        return record_bytes(record)
    if hasattr(record, "items"):
        record = {k: v for k, v in record.items() if not is_missing(v)}
    try:
        return record_bytes(json.dumps(record, default=_json_default, ensure_ascii=False))
    except (TypeError, ValueError, RecursionError) as e:
        what = "nested too deeply" if isinstance(e, RecursionError) else str(e)
        return record_bytes(f"<a {type(record).__name__} record that is not JSON: {what}>")


def records_blob(records: Iterable[object]) -> tuple[bytes, np.ndarray[Any, np.dtype[np.int64]]]:
    """Records -> (blob, int64 offsets): the Arrow large-string layout of batch.h."""
    return texts_blob([record_text(r) for r in records])


def texts_blob(texts: Sequence[bytes]) -> tuple[bytes, np.ndarray[Any, np.dtype[np.int64]]]:
    """The one blob/offsets builder: byte strings -> (blob, int64 offsets), text i at
    blob[offsets[i]:offsets[i + 1]] (pinetl_batch_clean_records' layout)."""
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    if texts:
        np.cumsum([len(t) for t in texts], out=offsets[1:])
    return b"".join(texts), offsets


def clean_batch(t: int, *, data: bytes | None = None, blob: bytes | None = None,
                offsets: np.ndarray[Any, np.dtype[np.int64]] | None = None,
                input_format: str | int = "auto", source: str | bytes | None = None,
                first_line: int = 1) -> tuple[Collector, Stats]:
    """Runs one batch of table t (a C pinetl_table value) through C: data (wrapped input) or
    blob + offsets (one record per slice). Returns (Collector holding the batch, stats dict)."""
    keep: list[CData] = []
    opts = _options(input_format, source, first_line, keep)
    batch = _new_batch(t)
    try:
        if data is not None:
            check(lib.pinetl_batch_clean(batch, data, len(data), opts))
        else:
            assert offsets is not None
            n = len(offsets) - 1
            offs = ffi.from_buffer("int64_t[]", offsets)
            check(lib.pinetl_batch_clean_records(batch, blob, offs, n, opts))
        part = Collector(t)
        part.add(batch)
        stats = ffi.new("pinetl_stats *")
        lib.pinetl_stats_init(stats, t)
        lib.pinetl_stats_add_batch(stats, batch)
        return part, _stats_dict(stats)
    finally:
        ffi.release(batch)


def clean_json(data: str | bytes | bytearray | memoryview | Iterable[object], table: Table, *,
               input_format: str | int = "auto", source: str | bytes | None = None,
               first_line: int = 1) -> CleanResult:
    """Cleans records of one table in memory, in one call into C.

    data is either str/bytes holding JSON lines, arrays, Kafka or Kinesis envelopes (as a file
    would), or an iterable of records, each a mapping (a parsed record) or the str/bytes of one
    record's JSON. Returns a CleanResult: cleaned rows, rejects and totals; every record is in
    exactly one of the two."""
    t = table_id(table)
    if isinstance(data, (str, bytes, bytearray, memoryview)):
        part, stats = clean_batch(t, data=record_bytes(data, "data"), input_format=input_format,
                                  source=source, first_line=first_line)
    else:
        if hasattr(data, "items"):
            raise TypeError("data is a single mapping: pass a list of records")
        blob, offsets = records_blob(data)
        part, stats = clean_batch(t, blob=blob, offsets=offsets, source=source,
                                  first_line=first_line)
    return CleanResult(part.frame(), part.rejects_frame(), stats, [])


def _files_size(paths: Sequence[PathLike]) -> int | None:
    """The total size of paths when all are regular files (a hint for sizing columns), else None."""
    total = 0
    for p in paths:
        try:
            st = os.stat(p)
        except (OSError, ValueError):
            return None
        if not stat.S_ISREG(st.st_mode):
            return None
        total += st.st_size
    return total


# read_json keeps every row anyway: batches four times the reader's default cut the per-batch work
# (Python calls per column, thread hand-offs) for ~30 MB more in C while it runs.
READ_JSON_BATCH_BYTES = 4 << 20


def read_json(path: Paths, table: Table, *, input_format: str | int = "auto", threads: int = 0,
              batch_bytes: int = 0) -> CleanResult:
    """Reads and cleans files or Kafka Connect S3 sink directories ("-" is standard input) with
    the library's streaming reader (worker threads, constant memory in C) into one DataFrame.

    path: a path or a list of paths; threads: worker threads (0 = one per core); batch_bytes:
    input bytes per batch (0 = 4 MiB). Returns a CleanResult. A folder is read only as an S3 sink
    tree (the landing holding topics/, topics/, a topic, a partition); any other folder, or one
    without an object of the table, is a FormatError naming what was skipped (libpinetl/SPEC.md,
    "Folders")."""
    paths = [path] if isinstance(path, (str, bytes, os.PathLike)) else list(path)
    if not paths:
        raise ValueError("read_json: no path given")
    t = table_id(table)
    rows = Collector(t, _files_size(paths))
    # dict_columns: the workers encode texts, not this thread.
    reader = open_reader(t, paths, input_format=input_format, threads=threads,
                         batch_bytes=batch_bytes or READ_JSON_BATCH_BYTES,
                         dict_columns=rows.text_columns())
    # Loaded now, while the workers fill the first batches, rather than before they start. (On
    # a thread it would hold the GIL for its switch interval each time this loop wants it back.)
    _lazy.pandas()
    try:
        batch = ffi.new("pinetl_batch **")
        # The workers clean the next batches while this thread copies one out (C releases the GIL).
        while check(lib.pinetl_reader_step(batch, reader)) == lib.PINETL_BATCH:
            rows.add(batch[0], reader)
        stats = ffi.new("pinetl_stats *")
        lib.pinetl_reader_stats(stats, reader)
        notices = [n for n in (text(lib.pinetl_reader_notices(reader)) or "").split("\n") if n]
    finally:
        ffi.release(reader)
    return CleanResult(rows.frame(), rows.rejects_frame(), _stats_dict(stats), notices)
