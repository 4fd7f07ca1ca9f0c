"""Insights (insights.h) and the SQLite warehouse (warehouse.h): results as dicts of DataFrames."""
import os
import threading

import numpy as np

from ._ffi import as_bytes, check, ffi, lib, owned_string, record_bytes, text
from ._lazy import pandas
from ._scalar import table_id

_MEDIANS = {"approx": 0, "interpolated": 1}
_FORMATS = {"table": 1, "json": 2, "csv": 3}


def insight_names():
    """The nine insights' names, in the spec's order."""
    return [text(lib.pinetl_insight_name(i)) for i in range(lib.PINETL_INSIGHT_COUNT)]


def insight_sql(name, median="approx"):
    """The SELECT that defines an insight's view in the warehouse."""
    i = ffi.new("int *")
    check(lib.pinetl_insight_from_name(as_bytes(name, "insight"), i))
    return text(lib.pinetl_warehouse_insight_sql(i[0], _median(median)))


def _median(median):
    try:
        return _MEDIANS[median]
    except KeyError:
        raise ValueError(f"median must be one of {sorted(_MEDIANS)}, not {median!r}") from None


def _format(fmt):
    try:
        return _FORMATS[fmt]
    except KeyError:
        raise ValueError(f"format must be one of {sorted(_FORMATS)}, not {fmt!r}") from None


class _Options:
    """pinetl_insights_options plus the C strings it points to (kept alive with it)."""

    def __init__(self, names, median):
        self.ptr = ffi.new("pinetl_insights_options *")
        lib.pinetl_insights_options_init(self.ptr)
        self.ptr.median = _median(median)
        if names is not None:
            if isinstance(names, (str, bytes)):
                names = [names]
            self._strings = [ffi.new("char[]", as_bytes(n, "insight name")) for n in names]
            self._array = ffi.new("const char *[]", self._strings)
            self.ptr.names = self._array
            self.ptr.nnames = len(self._strings)


def _column(result, t, c, nrows):
    kinds = {lib.pinetl_insights_value_type(result, t, r, c) for r in range(nrows)}
    kinds.discard(lib.PINETL_VALUE_NULL)
    if kinds == {lib.PINETL_VALUE_INT64}:
        values = np.zeros(nrows, dtype=np.int64)
        mask = np.ones(nrows, dtype=bool)
        for r in range(nrows):
            if lib.pinetl_insights_value_type(result, t, r, c) == lib.PINETL_VALUE_INT64:
                values[r] = lib.pinetl_insights_int64(result, t, r, c)
                mask[r] = False
        return pandas().arrays.IntegerArray(values, mask)
    if kinds == {lib.PINETL_VALUE_REAL}:
        return np.array([lib.pinetl_insights_real(result, t, r, c)
                         if lib.pinetl_insights_value_type(result, t, r, c) == lib.PINETL_VALUE_REAL
                         else np.nan for r in range(nrows)], dtype=np.float64)
    out = np.empty(nrows, dtype=object)
    size = ffi.new("size_t *")
    for r in range(nrows):
        kind = lib.pinetl_insights_value_type(result, t, r, c)
        if kind == lib.PINETL_VALUE_TEXT:
            p = lib.pinetl_insights_text(result, t, r, c, size)
            out[r] = ffi.buffer(p, size[0])[:].decode("utf-8", "replace")
        elif kind == lib.PINETL_VALUE_INT64:
            out[r] = int(lib.pinetl_insights_int64(result, t, r, c))
        elif kind == lib.PINETL_VALUE_REAL:
            out[r] = float(lib.pinetl_insights_real(result, t, r, c))
        else:
            out[r] = None
    return out


class Result:
    """A C insights result (tables of typed values), freed with ffi.gc."""

    def __init__(self, ptr):
        self._ptr = ffi.gc(ptr, lib.pinetl_insights_free)

    def frames(self):
        """{name: DataFrame}: INT64 columns as nullable Int64, REAL as float64, TEXT as object."""
        out = {}
        p = self._ptr
        for t in range(lib.pinetl_insights_count(p)):
            nrows = lib.pinetl_insights_rows(p, t)
            cols = {}
            for c in range(lib.pinetl_insights_columns(p, t)):
                cols[text(lib.pinetl_insights_column_name(p, t, c))] = _column(p, t, c, nrows)
            out[text(lib.pinetl_insights_name(p, t))] = pandas().DataFrame(cols)
        return out

    def render(self, fmt="csv"):
        """The result as the CLI prints it: "csv", "json" or "table"."""
        out = ffi.new("char **")
        size = ffi.new("size_t *")
        check(lib.pinetl_insights_render(self._ptr, _format(fmt), out, size))
        return owned_string(out[0])

    def equals(self, other):
        """(True, "") when both hold the same typed values, else (False, the first difference)."""
        why = ffi.new("char **")
        same = lib.pinetl_insights_equal(self._ptr, other._ptr, why)
        return bool(same), ("" if same or why[0] == ffi.NULL else owned_string(why[0]))

    def close(self):
        ffi.release(self._ptr)


def _paths(value, what):
    if isinstance(value, (str, bytes, os.PathLike)):
        value = [value]
    paths = [os.fsencode(p) for p in value]
    if not paths:
        raise ValueError(f"{what}: no path given")
    return paths


def _open_reader(table, paths, input_format, threads, batch_bytes=0):
    from ._clean import _input_format
    c_paths = [ffi.new("char[]", p) for p in paths]
    c_array = ffi.new("const char *[]", c_paths)
    opts = ffi.new("pinetl_reader_options *")
    lib.pinetl_reader_options_init(opts)
    opts.input_format = _input_format(input_format)
    opts.threads = threads
    opts.batch_bytes = batch_bytes
    out = ffi.new("pinetl_reader **")
    check(lib.pinetl_reader_open(out, table_id(table), c_array, len(paths), opts))
    return ffi.gc(out[0], lib.pinetl_reader_free)


def _read_into(table, paths, input_format, threads, consume):
    """Steps a reader over paths, handing each batch to consume(batch); returns the stats dict
    and the notices."""
    from ._clean import _stats_dict
    reader = _open_reader(table, paths, input_format, threads)
    try:
        batch = ffi.new("pinetl_batch **")
        while check(lib.pinetl_reader_step(reader, batch)) == lib.PINETL_BATCH:
            consume(batch[0])
        stats = ffi.new("pinetl_stats *")
        lib.pinetl_reader_stats(reader, stats)
        notices = [n for n in text(lib.pinetl_reader_notices(reader)).split("\n") if n]
        return _stats_dict(stats), notices
    finally:
        ffi.release(reader)


def compute_insights(pin, geo, user, *, names=None, median="approx", input_format="auto",
                     threads=0):
    """Reads and cleans the three tables' inputs (paths: files, or S3 sink directories, where
    each table takes its own objects) and computes the insights in memory. Returns a Result."""
    out = ffi.new("pinetl_dataset **")
    check(lib.pinetl_dataset_new(out))
    dataset = ffi.gc(out[0], lib.pinetl_dataset_free)
    try:
        for table, value in (("pin", pin), ("geo", geo), ("user", user)):
            _read_into(table, _paths(value, table), input_format, threads,
                       lambda b: check(lib.pinetl_dataset_add(dataset, b)))
        opts = _Options(names, median)
        res = ffi.new("pinetl_insights **")
        check(lib.pinetl_insights_compute(dataset, opts.ptr, res))
        return Result(res[0])
    finally:
        ffi.release(dataset)


def insights(pin, geo, user, *, names=None, median="approx", input_format="auto", threads=0):
    """The insights of the three tables' inputs as {name: DataFrame}, in the spec's order (or
    names' order). median: "approx" (percentile_approx, the default) or "interpolated"."""
    result = compute_insights(pin, geo, user, names=names, median=median,
                              input_format=input_format, threads=threads)
    try:
        return result.frames()
    finally:
        result.close()


class Warehouse:
    """The SQLite warehouse (warehouse.h). Calls are serialised by a lock, since a C handle is
    used by one thread at a time; use one Warehouse per thread for parallel work.

        with pinetl.Warehouse("pinterest.db") as wh:
            wh.load("pin", "landing/")
            frames = wh.insights()
    """

    def __init__(self, path, readonly=False):
        out = ffi.new("pinetl_warehouse **")
        flags = lib.PINETL_WAREHOUSE_READONLY if readonly else 0
        check(lib.pinetl_warehouse_open(out, os.fsencode(path), flags))
        self._ptr = ffi.gc(out[0], lib.pinetl_warehouse_free)
        self._lock = threading.Lock()
        self.path = os.fspath(path)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        with self._lock:
            if self._ptr is not None:
                ffi.release(self._ptr)
                self._ptr = None

    def _handle(self):
        if self._ptr is None:
            raise ValueError("the warehouse is closed")
        return self._ptr

    def load_stats(self):
        """What this handle's loads did: rows, written, rejects, rejects_written."""
        with self._lock:
            s = ffi.new("pinetl_load_stats *")
            lib.pinetl_warehouse_load_stats(self._handle(), s)
            return {"rows": s.rows, "written": s.written, "rejects": s.rejects,
                    "rejects_written": s.rejects_written}

    def load(self, table, paths, *, input_format="auto", threads=0):
        """Cleans inputs of one table (files, S3 sink directories) into the warehouse, one
        transaction per batch. Returns the cleaning stats plus what the load wrote."""
        before = self.load_stats()
        with self._lock:
            handle = self._handle()
            stats, notices = _read_into(table, _paths(paths, table), input_format, threads,
                                        lambda b: check(lib.pinetl_warehouse_load(handle, b)))
        after = self.load_stats()
        stats["load"] = {k: after[k] - before[k] for k in after}
        stats["notices"] = notices
        return stats

    def load_json(self, table, data, *, input_format="auto", source=None):
        """Cleans in-memory data (as pinetl.clean_json takes it) into the warehouse."""
        from ._clean import _new_batch, _options, _stats_dict, records_blob
        t = table_id(table)
        keep = []
        opts = _options(input_format, source, 1, keep)
        batch = _new_batch(t)
        before = self.load_stats()
        try:
            if isinstance(data, (str, bytes, bytearray, memoryview)):
                data = record_bytes(data, "data")
                check(lib.pinetl_batch_clean(batch, data, len(data), opts))
            else:
                blob, offsets = records_blob(data)
                check(lib.pinetl_batch_clean_records(batch, blob,
                                                     ffi.from_buffer("int64_t[]", offsets),
                                                     len(offsets) - 1, opts))
            with self._lock:
                check(lib.pinetl_warehouse_load(self._handle(), batch))
            stats = ffi.new("pinetl_stats *")
            lib.pinetl_stats_init(stats, t)
            lib.pinetl_stats_add_batch(stats, batch)
            result = _stats_dict(stats)
        finally:
            ffi.release(batch)
        after = self.load_stats()
        result["load"] = {k: after[k] - before[k] for k in after}
        return result

    def count(self, table):
        """Rows of "pin", "geo", "user" or "rejects"."""
        out = ffi.new("int64_t *")
        with self._lock:
            check(lib.pinetl_warehouse_count(self._handle(), as_bytes(table, "table"), out))
        return out[0]

    def insights_result(self, names=None, median="approx"):
        """The insights computed by SQLite, as a Result (render() gives the CLI's text)."""
        opts = _Options(names, median)
        out = ffi.new("pinetl_insights **")
        with self._lock:
            check(lib.pinetl_warehouse_insights(self._handle(), opts.ptr, out))
        return Result(out[0])

    def insights(self, names=None, median="approx"):
        """The insights computed by SQLite from the stored tables, as {name: DataFrame}."""
        result = self.insights_result(names, median)
        try:
            return result.frames()
        finally:
            result.close()

    def query(self, sql, name="query"):
        """One SQL query's rows as a DataFrame (INTEGER -> Int64, REAL -> float64, TEXT -> object)."""
        out = ffi.new("pinetl_insights **")
        with self._lock:
            check(lib.pinetl_warehouse_query(self._handle(), as_bytes(sql, "sql"),
                                             as_bytes(name, "name"), out))
        result = Result(out[0])
        try:
            return result.frames()[name]
        finally:
            result.close()
