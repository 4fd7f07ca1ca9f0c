"""Insights (insights.h) and the SQLite warehouse (warehouse.h): results as dicts of DataFrames."""
import os
import threading

import numpy as np

from ._columns import text_array, text_dtype
from ._ffi import as_bytes, check, ffi, lib, owned_string, record_bytes, text
from ._lazy import pandas
from ._scalar import table_id

def insight_names():
    """The nine insights' names, in the spec's order."""
    return [text(lib.pinetl_insight_name(i)) for i in range(lib.PINETL_INSIGHT_COUNT)]


def insight_years(name):
    """(first, last): the year window (inclusive) of an insight's post_year column; None for an
    insight without one."""
    i = ffi.new("pinetl_insight *")
    check(lib.pinetl_insight_from_name(i, as_bytes(name, "insight")))
    first, last = ffi.new("int *"), ffi.new("int *")
    return (first[0], last[0]) if lib.pinetl_insight_years(first, last, i[0]) else None


def insight_sql(name, median="approx", dialect="sqlite", tables=None):
    """The SELECT of an insight, from the library's one catalog (pinetl_insight_sql): dialect
    "sqlite" (the warehouse's view) or "spark" (Spark SQL); tables: {"pin": name, ...} for the
    tables read (default pin, geo, user), each holding one row per ind."""
    i = ffi.new("pinetl_insight *")
    check(lib.pinetl_insight_from_name(i, as_bytes(name, "insight")))
    d = ffi.new("pinetl_sql_dialect *")
    check(lib.pinetl_sql_dialect_from_name(d, as_bytes(dialect, "dialect")))
    names = ffi.NULL
    if tables is not None:
        known = [text(lib.pinetl_table_name(t)) for t in range(lib.PINETL_TABLE_COUNT)]
        if set(tables) - set(known):
            raise ValueError(f"tables: unknown table(s) {sorted(set(tables) - set(known))}, "
                             f"expected some of {known}")
        keep = [ffi.new("char[]", as_bytes(tables.get(t, t), "table name")) for t in known]
        names = ffi.new("const char *[]", keep)
    out = ffi.new("char **")
    check(lib.pinetl_insight_sql(out, i[0], d[0], _median(median), names))
    return owned_string(out[0])


def _median(median):
    """A median name ("approx", "interpolated") as C's pinetl_median_kind."""
    out = ffi.new("pinetl_median_kind *")
    check(lib.pinetl_median_kind_from_name(out, as_bytes(median, "median")))
    return out[0]


def _format(fmt):
    """An output format name ("table", "json", "csv") as C's pinetl_insights_format."""
    out = ffi.new("pinetl_insights_format *")
    check(lib.pinetl_insights_format_from_name(out, as_bytes(fmt, "format")))
    return out[0]


class _Options:
    """pinetl_insights_options plus the C strings it points to (kept alive with it)."""

    def __init__(self, names, median):
        self.ptr = ffi.new("pinetl_insights_options *")
        check(lib.pinetl_insights_options_init(self.ptr, lib.PINETL_INSIGHTS_OPTIONS_VERSION))
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
    if kinds == {lib.PINETL_VALUE_TEXT}:
        return text_array(out, text_dtype())
    return out


class Result:
    """A C insights result (tables of typed values), freed with ffi.gc."""

    def __init__(self, ptr):
        self._ptr = ffi.gc(ptr, lib.pinetl_insights_free)

    def frames(self):
        """{name: DataFrame}: INT64 columns as nullable Int64, REAL as float64, TEXT as
        text_dtype() (object on pandas 2, "str" on pandas 3), mixed or all-null columns as
        object."""
        out = {}
        p = self._ptr
        for t in range(lib.pinetl_insights_count(p)):
            nrows = lib.pinetl_insights_rows(p, t)
            cols = {}
            for c in range(lib.pinetl_insights_columns(p, t)):
                cols[text(lib.pinetl_insights_column_name(p, t, c))] = _column(p, t, c, nrows)
            out[text(lib.pinetl_insights_table_name(p, t))] = pandas().DataFrame(cols)
        return out

    def render(self, fmt="csv"):
        """The result as the CLI prints it: "csv", "json" or "table"."""
        out = ffi.new("char **")
        size = ffi.new("size_t *")
        check(lib.pinetl_insights_render(out, size, self._ptr, _format(fmt)))
        return owned_string(out[0])

    def equals(self, other):
        """(True, "") when both hold the same typed values, else (False, the first difference)."""
        why = ffi.new("char **")
        same = lib.pinetl_insights_equal(why, self._ptr, other._ptr)
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


def _read_into(table, paths, input_format, threads, consume):
    """Steps a reader over paths, handing each batch to consume(batch); returns the stats dict
    and the notices."""
    from ._clean import _stats_dict, open_reader
    reader = open_reader(table, paths, input_format=input_format, threads=threads)
    try:
        batch = ffi.new("pinetl_batch **")
        while check(lib.pinetl_reader_step(batch, reader)) == lib.PINETL_BATCH:
            consume(batch[0])
        stats = ffi.new("pinetl_stats *")
        lib.pinetl_reader_stats(stats, reader)
        notices = [n for n in text(lib.pinetl_reader_notices(reader)).split("\n") if n]
        return _stats_dict(stats), notices
    finally:
        ffi.release(reader)


def compute_insights(pin, geo, user, *, names=None, median="approx", input_format="auto",
                     threads=0):
    """Reads and cleans the three tables' inputs (paths: files, or S3 sink directories, where
    each table takes its own objects) and computes the insights in memory, with C's parallel
    dataset read (pinetl_dataset_read_files: the three tables at once, only the columns the
    insights use), exactly as `pinetl insights --pin ... --geo ... --user ...`. Returns a Result."""
    from ._clean import _input_format
    opts = _Options(names, median)   # a bad name or median fails before any reading
    tables = (pin, geo, user)
    c_paths = [[ffi.new("char[]", p) for p in _paths(v, name)]
               for v, name in zip(tables, ("pin", "geo", "user"))]
    c_arrays = [ffi.new("const char *[]", ps) for ps in c_paths]
    paths = ffi.new("const char *const *[]", c_arrays)
    npaths = ffi.new("size_t[]", [len(ps) for ps in c_paths])
    ropts = ffi.new("pinetl_reader_options *")
    check(lib.pinetl_reader_options_init(ropts, lib.PINETL_READER_OPTIONS_VERSION))
    ropts.input_format = _input_format(input_format)
    ropts.threads = threads
    out = ffi.new("pinetl_dataset **")
    check(lib.pinetl_dataset_new(out))
    dataset = ffi.gc(out[0], lib.pinetl_dataset_free)
    reports = ffi.new("pinetl_dataset_report[]", lib.PINETL_TABLE_COUNT)
    try:
        rc = lib.pinetl_dataset_read_files(reports, dataset, paths, npaths, ropts)
        for r in reports:
            for p in (r.notices, r.first_reject):
                if p != ffi.NULL:
                    lib.pinetl_free(p)
        check(rc)
        res = ffi.new("pinetl_insights **")
        check(lib.pinetl_insights_compute(res, dataset, opts.ptr))
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
            lib.pinetl_warehouse_load_stats(s, self._handle())
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
            check(lib.pinetl_warehouse_count(out, self._handle(), as_bytes(table, "table")))
        return out[0]

    def insights_result(self, names=None, median="approx"):
        """The insights computed by SQLite, as a Result (render() gives the CLI's text)."""
        opts = _Options(names, median)
        out = ffi.new("pinetl_insights **")
        with self._lock:
            check(lib.pinetl_warehouse_insights(out, self._handle(), opts.ptr))
        return Result(out[0])

    def insights(self, names=None, median="approx"):
        """The insights computed by SQLite from the stored tables, as {name: DataFrame}."""
        result = self.insights_result(names, median)
        try:
            return result.frames()
        finally:
            result.close()

    def query(self, sql, name="query"):
        """One SQL query's rows as a DataFrame (INTEGER -> Int64, REAL -> float64, TEXT -> object
        on pandas 2, "str" on pandas 3; see Result.frames)."""
        out = ffi.new("pinetl_insights **")
        with self._lock:
            check(lib.pinetl_warehouse_query(out, self._handle(),
                                             as_bytes(sql, "sql"), as_bytes(name, "name")))
        result = Result(out[0])
        try:
            return result.frames()[name]
        finally:
            result.close()
