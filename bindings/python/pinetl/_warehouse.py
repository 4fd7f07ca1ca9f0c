"""Insights (insights.h) and the SQLite warehouse (warehouse.h): results as dicts of DataFrames."""
from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ._clean import (_input_format, _new_batch, _options, _stats_dict, open_reader,
                     records_blob)
from ._columns import text_array, text_dtype
from ._ffi import c_path, c_string, check, ffi, lib, owned_string, record_bytes, text
from ._lazy import pandas
from ._scalar import table_id, tables
from ._types import CData, PathLike, Paths, Stats, Table

if TYPE_CHECKING:
    from pandas import DataFrame

# Insight names: one, several, or None for all nine.
Names = str | bytes | Iterable[str | bytes] | None

def insight_names() -> list[str]:
    """The nine insights' names, in the spec's order."""
    return [text(lib.pinetl_insight_name(i)) or "" for i in range(lib.PINETL_INSIGHT_COUNT)]


def insight_years(name: str | bytes) -> tuple[int, int] | None:
    """(first, last): the year window (inclusive) of an insight's post_year column; None for an
    insight without one."""
    i = ffi.new("pinetl_insight *")
    check(lib.pinetl_insight_from_name(i, c_string(name, "insight")))
    first, last = ffi.new("int *"), ffi.new("int *")
    return (first[0], last[0]) if lib.pinetl_insight_years(first, last, i[0]) else None


def insight_sql(name: str | bytes, median: str = "approx", dialect: str = "sqlite",
                tables: dict[str, str] | None = None) -> str:
    """The SELECT of an insight, from the library's one catalog (pinetl_insight_sql): dialect
    "sqlite" (the warehouse's view) or "spark" (Spark SQL); tables: {"pin": name, ...} for the
    tables read (default pin, geo, user), each holding one row per ind."""
    i = ffi.new("pinetl_insight *")
    check(lib.pinetl_insight_from_name(i, c_string(name, "insight")))
    d = ffi.new("pinetl_sql_dialect *")
    check(lib.pinetl_sql_dialect_from_name(d, c_string(dialect, "dialect")))
    names: CData = ffi.NULL
    if tables is not None:
        known = [text(lib.pinetl_table_name(t)) or "" for t in range(lib.PINETL_TABLE_COUNT)]
        if set(tables) - set(known):
            raise ValueError(f"tables: unknown table(s) {sorted(set(tables) - set(known))}, "
                             f"expected some of {known}")
        keep = [ffi.new("char[]", c_string(tables.get(t, t), "table name")) for t in known]
        names = ffi.new("const char *[]", keep)
    out = ffi.new("char **")
    check(lib.pinetl_insight_sql(out, i[0], d[0], _median(median), names))
    return owned_string(out[0])


def _median(median: str | bytes) -> int:
    """A median name ("approx", "interpolated") as C's pinetl_median_kind."""
    out = ffi.new("pinetl_median_kind *")
    check(lib.pinetl_median_kind_from_name(out, c_string(median, "median")))
    kind: int = out[0]
    return kind


def _format(fmt: str | bytes) -> int:
    """An output format name ("table", "json", "csv") as C's pinetl_insights_format."""
    out = ffi.new("pinetl_insights_format *")
    check(lib.pinetl_insights_format_from_name(out, c_string(fmt, "format")))
    kind: int = out[0]
    return kind


class _Options:
    """pinetl_insights_options plus the C strings it points to (kept alive with it)."""

    def __init__(self, names: Names, median: str) -> None:
        self.ptr = ffi.new("pinetl_insights_options *")
        check(lib.pinetl_insights_options_init(self.ptr, lib.PINETL_INSIGHTS_OPTIONS_VERSION))
        self.ptr.median = _median(median)
        if names is not None:
            if isinstance(names, (str, bytes)):
                names = [names]
            self._strings = [ffi.new("char[]", c_string(n, "insight name")) for n in names]
            self._array = ffi.new("const char *[]", self._strings)
            self.ptr.names = self._array
            self.ptr.nnames = len(self._strings)


def _column(result: CData, t: int, c: int, nrows: int) -> Any:
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

    def __init__(self, ptr: CData) -> None:
        self._ptr = ffi.gc(ptr, lib.pinetl_insights_free)

    def frames(self) -> dict[str, DataFrame]:
        """{name: DataFrame}: INT64 columns as nullable Int64, REAL as float64, TEXT as
        text_dtype() (object on pandas 2, "str" on pandas 3), mixed or all-null columns as
        object."""
        out = {}
        p = self._ptr
        for t in range(lib.pinetl_insights_count(p)):
            nrows = lib.pinetl_insights_rows(p, t)
            cols: dict[str | None, Any] = {}
            for c in range(lib.pinetl_insights_columns(p, t)):
                cols[text(lib.pinetl_insights_column_name(p, t, c))] = _column(p, t, c, nrows)
            out[text(lib.pinetl_insights_table_name(p, t)) or ""] = pandas().DataFrame(cols)
        return out

    def render(self, fmt: str = "csv") -> str:
        """The result as the CLI prints it: "csv", "json" or "table"."""
        out = ffi.new("char **")
        size = ffi.new("size_t *")
        check(lib.pinetl_insights_render(out, size, self._ptr, _format(fmt)))
        return owned_string(out[0])

    def equals(self, other: Result) -> tuple[bool, str]:
        """(True, "") when both hold the same typed values, else (False, the first difference)."""
        why = ffi.new("char **")
        same = lib.pinetl_insights_equal(why, self._ptr, other._ptr)
        return bool(same), ("" if same or why[0] == ffi.NULL else owned_string(why[0]))

    def close(self) -> None:
        ffi.release(self._ptr)


def _paths(value: Paths, what: object) -> list[bytes]:
    if isinstance(value, (str, bytes, os.PathLike)):
        value = [value]
    paths = [c_path(p, str(what)) for p in value]
    if not paths:
        raise ValueError(f"{what}: no path given")
    return paths


def _read_into(t: int, paths: Sequence[PathLike], input_format: str | int, threads: int,
               consume: Callable[[CData], object]) -> tuple[Stats, list[str]]:
    """Steps a reader of table t (a C pinetl_table value) over paths, handing each batch to
    consume(batch); returns the stats dict and the notices."""
    reader = open_reader(t, paths, input_format=input_format, threads=threads)
    try:
        batch = ffi.new("pinetl_batch **")
        while check(lib.pinetl_reader_step(batch, reader)) == lib.PINETL_BATCH:
            consume(batch[0])
        stats = ffi.new("pinetl_stats *")
        lib.pinetl_reader_stats(stats, reader)
        notices = [n for n in (text(lib.pinetl_reader_notices(reader)) or "").split("\n") if n]
        return _stats_dict(stats), notices
    finally:
        ffi.release(reader)


def compute_insights(pin: Paths, geo: Paths, user: Paths, *, names: Names = None,
                     median: str = "approx", input_format: str | int = "auto",
                     threads: int = 0) -> Result:
    """Reads and cleans the three tables' inputs (paths: files, or S3 sink directories, where
    each table takes its own objects) and computes the insights in memory, with C's parallel
    dataset read (pinetl_dataset_read_files: the three tables at once, only the columns the
    insights use), exactly as `pinetl insights --pin ... --geo ... --user ...`. Returns a Result."""
    opts = _Options(names, median)   # a bad name or median fails before any reading
    inputs = (pin, geo, user)   # C's table order (pinetl.tables())
    c_paths = [[ffi.new("char[]", p) for p in _paths(v, name)]
               for v, name in zip(inputs, tables())]
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


def insights(pin: Paths, geo: Paths, user: Paths, *, names: Names = None, median: str = "approx",
             input_format: str | int = "auto", threads: int = 0) -> dict[str, DataFrame]:
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
            wh.load("landing/", "pin")
            frames = wh.insights()
    """

    def __init__(self, path: str | os.PathLike[str], readonly: bool = False) -> None:
        out = ffi.new("pinetl_warehouse **")
        flags = lib.PINETL_WAREHOUSE_READONLY if readonly else 0
        check(lib.pinetl_warehouse_open(out, c_path(path, "warehouse"), flags))
        self._ptr: CData = ffi.gc(out[0], lib.pinetl_warehouse_free)
        self._lock = threading.Lock()
        self.path = os.fspath(path)

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            if self._ptr is not None:
                ffi.release(self._ptr)
                self._ptr = None

    def _handle(self) -> CData:
        if self._ptr is None:
            raise ValueError("the warehouse is closed")
        return self._ptr

    def load_stats(self) -> dict[str, int]:
        """What this handle's loads did: rows, written, rejects, rejects_written."""
        with self._lock:
            s = ffi.new("pinetl_load_stats *")
            lib.pinetl_warehouse_load_stats(s, self._handle())
            return {"rows": s.rows, "written": s.written, "rejects": s.rejects,
                    "rejects_written": s.rejects_written}

    def load(self, paths: Paths, table: Table, *, input_format: str | int = "auto",
             threads: int = 0) -> Stats:
        """Cleans inputs of one table (files, S3 sink directories) into the warehouse, one
        transaction per batch. Returns the cleaning stats plus what the load wrote."""
        t = table_id(table)
        before = self.load_stats()
        with self._lock:
            handle = self._handle()
            stats, notices = _read_into(t, _paths(paths, table), input_format, threads,
                                        lambda b: check(lib.pinetl_warehouse_load(handle, b)))
        after = self.load_stats()
        stats["load"] = {k: after[k] - before[k] for k in after}
        stats["notices"] = notices
        return stats

    def load_json(self, data: str | bytes | bytearray | memoryview | Iterable[object], table: Table,
                  *, input_format: str | int = "auto", source: str | bytes | None = None) -> Stats:
        """Cleans in-memory data (as pinetl.clean_json takes it) into the warehouse."""
        t = table_id(table)
        keep: list[CData] = []
        opts = _options(input_format, source, 1, keep)
        batch = _new_batch(t)
        before = self.load_stats()
        try:
            if isinstance(data, (str, bytes, bytearray, memoryview)):
                raw = record_bytes(data, "data")
                check(lib.pinetl_batch_clean(batch, raw, len(raw), opts))
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

    def count(self, table: str | bytes) -> int:
        """Rows of "pin", "geo", "user" or "rejects"."""
        out = ffi.new("int64_t *")
        with self._lock:
            check(lib.pinetl_warehouse_count(out, self._handle(), c_string(table, "table")))
        rows: int = out[0]
        return rows

    def insights_result(self, names: Names = None, median: str = "approx") -> Result:
        """The insights computed by SQLite, as a Result (render() gives the CLI's text)."""
        opts = _Options(names, median)
        out = ffi.new("pinetl_insights **")
        with self._lock:
            check(lib.pinetl_warehouse_insights(out, self._handle(), opts.ptr))
        return Result(out[0])

    def insights(self, names: Names = None, median: str = "approx") -> dict[str, DataFrame]:
        """The insights computed by SQLite from the stored tables, as {name: DataFrame}."""
        result = self.insights_result(names, median)
        try:
            return result.frames()
        finally:
            result.close()

    def query(self, sql: str | bytes, name: str = "query") -> DataFrame:
        """One SQL query's rows as a DataFrame (INTEGER -> Int64, REAL -> float64, TEXT -> object
        on pandas 2, "str" on pandas 3; see Result.frames)."""
        out = ffi.new("pinetl_insights **")
        with self._lock:
            check(lib.pinetl_warehouse_query(out, self._handle(),
                                             c_string(sql, "sql"), c_string(name, "name")))
        result = Result(out[0])
        try:
            return result.frames()[name]
        finally:
            result.close()

    def daily_loads(self, from_day: str | None = None,
                    until: str | None = None) -> list[dict[str, Any]]:
        """The daily ledger (daily_ledger.h): one dict per day and table (day, table,
        fingerprint, files, bytes, read, cleaned, rejected, rejected_by_reason, written), ordered
        by day and table, days from from_day to until (YYYY-MM-DD) when given."""
        import json
        out = ffi.new("char **")
        bounds = [None if d is None else c_string(d, "day") for d in (from_day, until)]
        with self._lock:
            check(lib.pinetl_warehouse_daily_loads(
                out, self._handle(), *[ffi.NULL if b is None else b for b in bounds]))
        loads: list[dict[str, Any]] = json.loads(owned_string(out[0]))
        return loads

    def put_daily_load(self, day: str, table: Table, fingerprint: str, *, files: int,
                       bytes: int, read: int, cleaned: int, rejected: int,
                       rejected_by_reason: dict[str, int], written: int) -> None:
        """Stores the ledger row of a day and table (replacing one that is there)."""
        import json
        keep = [ffi.new("char[]", v) for v in (
            c_string(day, "day"), c_string(fingerprint, "fingerprint"),
            json.dumps(dict(rejected_by_reason), sort_keys=True).encode("utf-8"))]
        row = ffi.new("pinetl_daily_load *")
        row.day, row.table, row.fingerprint = keep[0], table_id(table), keep[1]
        row.files, row.bytes, row.read, row.cleaned = files, bytes, read, cleaned
        row.rejected, row.written, row.rejected_by_reason = rejected, written, keep[2]
        with self._lock:
            check(lib.pinetl_warehouse_daily_load_put(self._handle(), row))
