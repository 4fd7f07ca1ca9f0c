"""From C batches to pandas: columns are copied out of each batch in bulk (one call per column),
never field by field through the FFI, because the batch's memory is reused or freed afterwards.

A Collector gathers the batches of one run column by column and builds the DataFrame once at the
end (no per-batch frames to concatenate). Text columns, the bulk of the work, make their str
objects in C-sized steps: a text dictionary (C) names each distinct text once, so a column of
repeated values (category, country, a repeated post's title) makes one str per distinct text and
shares it between rows; a column of mostly distinct texts (unique_id) switches to one str per
row, made in C (pyobjects.c), where a dictionary would only cost. Batches from a reader come dictionary-encoded by
its worker threads (pinetl_reader_text_codes): this thread then only maps codes to str objects.

That is for object text columns (pandas 2). When pandas' text dtype is the Arrow-backed "str"
(pandas 3), no str object is made at all: a reader's batch becomes the Arrow large_string chunks
of its text columns through the C export (no copy), and a batch of clean_json's has its text
bytes, offsets and validity copied out as one chunk (C's layout is Arrow's); pandas wraps them."""
from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any, Union

import numpy as np
from numpy.typing import NDArray

from ._cdata import _pa, export_reader_rows, rejects_schema, rows_schema
from ._ffi import check, ffi, lib, text
from ._lazy import arrow_text, pandas
from ._scalar import table_columns, table_id
from ._types import CData, Table

if TYPE_CHECKING:
    import pyarrow as pa
    from pandas import DataFrame

# datetime64[ns] covers years 1677..2262 (pandas.Timestamp.min/max: int64 nanoseconds but the
# NaT value); the library accepts 0001..9999.
_NS_MIN_US = (np.iinfo(np.int64).min + 1) // 1000 + 1
_NS_MAX_US = np.iinfo(np.int64).max // 1000
_NAT = np.iinfo(np.int64).min

# The rejects' fields, in C's order (pinetl_batch_render_rejects writes the same).
REJECT_COLUMNS = [text(lib.pinetl_reject_field_name(i)) or ""
                  for i in range(lib.PINETL_REJECT_FIELDS)]


class TimestampRangeWarning(UserWarning):
    """A cleaned timestamp lies outside what datetime64[ns] holds (1677..2262) and became NaT."""


def _array(ptr: CData, ctype: Any, count: int) -> NDArray[Any]:
    if count == 0 or ptr == ffi.NULL:
        return np.zeros(0, dtype=ctype)
    dtype = np.dtype(ctype)
    return np.frombuffer(ffi.buffer(ptr, count * dtype.itemsize), dtype=dtype)


def _bitmap(ptr: CData, n: int) -> NDArray[Any]:
    if n == 0:
        return np.zeros(0, dtype=bool)
    raw = np.frombuffer(ffi.buffer(ptr, (n + 7) // 8), dtype=np.uint8)
    return np.unpackbits(raw, count=n, bitorder="little").view(bool)


# Rows decoded per str.split: large enough that the Python call is cheap per row, small enough
# that the joined text stays a small, reused allocation and one wide character (an emoji) makes
# only its own chunk a wide (UCS-4) string.
_SPLIT_ROWS = 512


def _split(blob: Any, b: NDArray[Any]) -> list[str]:
    """Texts from a buffer that holds each followed by a NUL byte: text r at
    blob[b[r] .. b[r+1] - 1) (b: n + 1 positions). One decode and one str.split per chunk of
    rows make the str objects; a text that holds NUL itself (JSON "\\u0000") would split
    wrongly, so then that chunk's texts are decoded one by one."""
    n = len(b) - 1
    view = memoryview(blob)
    cuts = b[::_SPLIT_ROWS].tolist() + ([int(b[n])] if n % _SPLIT_ROWS else [])
    out: list[str] = []
    for i in range(len(cuts) - 1):
        parts = str(view[cuts[i]:cuts[i + 1]], "utf-8").split("\0")
        parts.pop()  # after the last separator
        rows = min(_SPLIT_ROWS, n - i * _SPLIT_ROWS)
        if len(parts) != rows:
            lo = i * _SPLIT_ROWS
            pos = b[lo:lo + rows + 1].tolist()
            parts = [str(view[pos[r]:pos[r + 1] - 1], "utf-8") for r in range(rows)]
        out += parts
    return out


def _objects(n: int) -> tuple[NDArray[Any], CData]:
    """An object array of n Nones and its data pointer, for the pinetl_py_* helpers to fill."""
    out = np.empty(n, dtype=object)
    return out, ffi.cast("void *", out.ctypes.data)


def _c_texts(data: CData, offsets: CData, validity: CData, n: int) -> NDArray[Any] | None:
    """n texts (None where null) as an object array of str, made in C (pyobjects.c); None when
    a text is not UTF-8, which the library never hands out."""
    out, ptr = _objects(n)
    if n and lib.pinetl_py_texts(ptr, data, offsets, validity, n) != 0:
        return None
    return out


def _gather(table: NDArray[Any], rows: NDArray[Any]) -> NDArray[Any]:
    """table[rows] for an object array table and int32 rows, made in C (pyobjects.c)."""
    out, ptr = _objects(len(rows))
    if len(rows):
        rows = np.ascontiguousarray(rows, dtype=np.int32)
        rc = lib.pinetl_py_gather(ptr, ffi.cast("void *", table.ctypes.data), len(table),
                                  ffi.from_buffer("int32_t[]", rows), len(rows))
        if rc != 0:
            raise IndexError("pinetl: a text code points past the known texts")
    return out


def _dict_texts(d: CData, first: int, count: int) -> list[str]:
    """Texts first .. count - 1 of a text dictionary (stored with a NUL after each)."""
    offs = _array(lib.pinetl_text_dict_offsets(d), np.int64, count + 1)[first:]
    base = int(offs[0])
    blob = ffi.buffer(lib.pinetl_text_dict_data(d) + base, int(offs[-1]) - base)
    return _split(blob, offs - base)


class _Objects:
    """A growing object array. Each batch's new objects go in while they are fresh in the cache:
    concatenating per-batch arrays at the end would touch every object twice more (reference
    counts), a cache miss each once there are millions."""

    __slots__ = ("out", "len")

    def __init__(self) -> None:
        self.out = np.empty(0, dtype=object)
        self.len = 0

    def reserve(self, n: int) -> None:
        if n > len(self.out):
            # realloc (no reference count touched); new slots hold 0 until written.
            self.out.resize(n, refcheck=False)

    def append(self, items: Any, nulls: NDArray[Any] | None = None) -> None:
        """Appends a list or an object array; nulls: a bool mask of items to set to None."""
        end = self.len + len(items)
        if end > len(self.out):
            self.reserve(max(end, len(self.out) * 3 // 2 + 1024))
        self.out[self.len:end] = items
        if nulls is not None:
            self.out[self.len:end][nulls] = None
        self.len = end

    def finish(self) -> NDArray[Any]:
        out = self.out[:self.len]  # a view: a copy would touch every object again
        self.out, self.len = np.empty(0, dtype=object), 0
        return out


class _Ints:
    """A growing int32 array."""

    __slots__ = ("values", "len")

    def __init__(self) -> None:
        self.values = np.zeros(64, dtype=np.int32)
        self.len = 0

    def append(self, items: Any) -> None:
        end = self.len + len(items)
        if end + 1 > len(self.values):
            self.values = np.resize(self.values, max(end + 1, 2 * len(self.values)))
        self.values[self.len:end] = items
        self.len = end


class _ReaderCodes:
    """A text column encoded by a reader's workers. Each worker's dictionary has its own codes;
    they map here to indexes into one list of str objects (index 0 is None, for null rows), where
    equal texts from different workers share one str. The rows stay int32 indexes until the
    column is finished, then one indexing makes the object array."""

    __slots__ = ("strs", "index", "remaps", "pending")

    def __init__(self) -> None:
        self.strs: list[str | None] = [None]
        self.index: dict[str, int] = {}          # str -> its index in strs
        self.remaps: dict[CData, _Ints] = {}     # dictionary -> str index of each of its codes
        self.pending: list[NDArray[Any]] = []         # per batch: str indexes of its kept rows

    def add(self, view: CData, n: int, keep: NDArray[Any] | None) -> None:
        remap = self.remaps.get(view.dict)
        if remap is None:
            remap = self.remaps[view.dict] = _Ints()
        if view.first_new != remap.len:
            raise RuntimeError(f"pinetl: dictionary {view.dict} skipped codes "
                               f"{remap.len}..{view.first_new - 1}")
        if view.new_count:   # a few per batch once the dictionaries are warm
            offs = _array(view.new_offsets, np.int64, view.new_count + 1)
            strs, index, at = self.strs, self.index, list[int]()
            for s in _split(ffi.buffer(view.new_data, int(offs[-1])), offs):
                i = index.get(s)
                if i is None:
                    i = index[s] = len(strs)
                    strs.append(s)
                at.append(i)
            remap.append(at)
        table = remap.values[:remap.len + 1]
        table[remap.len] = 0          # code -1 (null) -> None
        codes = _array(view.codes, np.int32, n)
        self.pending.append(table[codes if keep is None else codes[keep]])

    def take(self) -> NDArray[Any]:
        """The pending rows as str objects (an object array), and none left pending."""
        if not self.pending:
            return np.empty(0, dtype=object)
        rows = np.concatenate(self.pending) if len(self.pending) > 1 else self.pending[0]
        self.pending = []
        strs = np.fromiter(self.strs, dtype=object, count=len(self.strs))
        return _gather(strs, rows)


class _TextColumn:
    """The rows of one text column across batches: str objects (None when null)."""

    __slots__ = ("out", "dict", "strs", "rows", "coded", "expect")

    def __init__(self, expect: int = 0) -> None:
        self.out = _Objects()
        out = ffi.new("pinetl_text_dict **")
        check(lib.pinetl_text_dict_new(out))
        self.dict: CData = ffi.gc(out[0], lib.pinetl_text_dict_free)
        # dictionary mode: the str of each code, then None (code -1)
        self.strs: _Objects | None = _Objects()
        self.strs.append([None])
        self.strs.len = 0
        self.rows = 0
        self.coded: _ReaderCodes | None = None   # _ReaderCodes, for batches a reader encoded
        self.expect = expect     # rows expected in all (0: unknown), to size out once

    def add_coded(self, batch: CData, c: int, n: int, keep: NDArray[Any] | None,
                  view: CData) -> None:
        """A batch from a reader: view is its pinetl_text_codes for this column."""
        if self.coded is None:
            self.coded = _ReaderCodes()
            ffi.release(self.dict)   # the workers' dictionaries do this column's work
            self.dict, self.strs = None, None
        if view.codes != ffi.NULL:
            self.coded.add(view, n, keep)
            return
        # The worker's dictionary gave up on this column: the rows so far, then plain texts.
        if self.out.len == 0 and self.expect:
            self.out.reserve(self.expect)
        if self.coded.pending:
            self.out.append(self.coded.take())
        self.add(batch, c, n, keep)

    def add(self, batch: CData, c: int, n: int, keep: NDArray[Any] | None) -> None:
        data = lib.pinetl_batch_text_data(batch, c)
        offsets = lib.pinetl_batch_text_offsets(batch, c)
        validity = lib.pinetl_batch_validity(batch, c)
        if self.dict is None:
            items = _c_texts(data, offsets, validity, n)
            if items is None:
                raise ValueError(f"pinetl: column {c} holds a text that is not UTF-8")
            self.out.append(items if keep is None else items[keep])
            return
        codes = np.empty(n, dtype=np.int32)
        if n:
            check(lib.pinetl_text_dict_encode(ffi.from_buffer("int32_t[]", codes), self.dict, data, offsets, validity,
                                              n))
        assert self.strs is not None
        known, count = self.strs.len, lib.pinetl_text_dict_count(self.dict)
        if count > known:
            self.strs.append(_dict_texts(self.dict, known, count) + [None])
            self.strs.len -= 1   # the None stays after the last str, for code -1
        strs = self.strs.out[:count + 1]
        self.out.append(strs[codes if keep is None else codes[keep]])
        self.rows += n
        if not lib.pinetl_text_dict_worthwhile(self.dict, self.rows):   # C's policy
            ffi.release(self.dict)
            self.dict, self.strs = None, None

    def finish(self) -> NDArray[Any]:
        self.dict, self.strs = None, None
        if self.coded is not None:
            rest = self.coded.take()
            self.coded = None
            if self.out.len == 0:
                return rest
            self.out.append(rest)
        return self.out.finish()


class _ArrowTextColumn:
    """The rows of one text column across batches as Arrow large_string chunks, for pandas'
    Arrow-backed "str" dtype (pandas 3), one chunk per batch, which pandas wraps without a copy.
    Collector.add appends a reader's batches as exported (pinetl_arrow_export_reader: the chunk
    is the batch's own memory); add() copies a batch that is reused afterwards: C's text layout
    is Arrow's (int64 offsets, validity bitmap least significant bit first), so its bytes,
    offsets and validity are copied out as they are. No str object is made (it would be turned
    back into UTF-8 bytes for Arrow)."""

    __slots__ = ("pa", "chunks")

    def __init__(self) -> None:
        self.pa = _pa()
        self.chunks: list[pa.Array] = []

    def add(self, batch: CData, c: int, n: int, keep: NDArray[Any] | None) -> None:
        if n == 0:
            return
        pa = self.pa
        offs = _array(lib.pinetl_batch_text_offsets(batch, c), np.int64, n + 1)
        first, last = int(offs[0]), int(offs[-1])
        data = b""
        if last > first:
            data = ffi.buffer(lib.pinetl_batch_text_data(batch, c) + first, last - first)[:]
        validity = lib.pinetl_batch_validity(batch, c)
        bits = None
        if keep is None:
            if validity != ffi.NULL:
                bits = pa.py_buffer(ffi.buffer(validity, (n + 7) // 8)[:])
            offsets = offs - first
        else:
            # A rejected row holds no text, so the kept rows' bytes stay contiguous: only the
            # offsets and validity bits of the kept rows are picked (an Arrow filter would copy
            # the text bytes once more).
            rows = np.flatnonzero(keep)
            n = len(rows)
            offsets = np.empty(n + 1, dtype=np.int64)
            offsets[:n] = offs[rows]
            offsets[n] = offs[rows[-1] + 1] if n else first
            offsets -= first
            if validity != ffi.NULL and n:
                valid = _bitmap(validity, len(keep))[rows]
                bits = pa.py_buffer(np.packbits(valid, bitorder="little"))
        arr = pa.Array.from_buffers(pa.large_string(), n,
                                    [bits, pa.py_buffer(offsets), pa.py_buffer(data)])
        self.chunks.append(arr)

    def finish(self) -> pa.ChunkedArray:
        chunks, self.chunks = self.chunks, []
        return self.pa.chunked_array(chunks, type=self.pa.large_string())


class _CoordsColumn:
    """Coordinates across batches: a [lat, lon] list per row (None when null), made per batch,
    while the worker threads clean the next ones."""

    __slots__ = ("out",)

    def __init__(self) -> None:
        self.out = _Objects()

    def add(self, batch: CData, c: int, n: int, keep: NDArray[Any] | None) -> None:
        values = _array(lib.pinetl_batch_coords(batch, c), np.float64, 2 * n).reshape(n, 2)
        valid = _bitmap(lib.pinetl_batch_validity(batch, c), n)
        if keep is not None:
            values, valid = values[keep], valid[keep]
        pairs = np.fromiter(values.tolist(), dtype=object, count=len(values))
        self.out.append(pairs, None if valid.all() else ~valid)

    def finish(self) -> NDArray[Any]:
        return self.out.finish()


class _ValueColumn:
    """The rows of an int64 or timestamp column across batches: values and validity,
    concatenated once at the end."""

    __slots__ = ("values", "valid")

    def __init__(self) -> None:
        self.values: list[NDArray[Any]] = []
        self.valid: list[NDArray[Any]] = []

    def add(self, batch: CData, c: int, n: int, keep: NDArray[Any] | None) -> None:
        values = _array(lib.pinetl_batch_int64(batch, c), np.int64, n)
        valid = _bitmap(lib.pinetl_batch_validity(batch, c), n)
        if keep is None:
            self.values.append(values.copy())
            self.valid.append(valid.copy())
        else:
            self.values.append(values[keep])
            self.valid.append(valid[keep])

    def finish(self) -> tuple[NDArray[Any], NDArray[Any]]:
        values = np.concatenate(self.values) if self.values else np.zeros(0, np.int64)
        valid = np.concatenate(self.valid) if self.valid else np.zeros(0, bool)
        self.values, self.valid = [], []
        return values, valid


_Column = Union[_TextColumn, _ArrowTextColumn, _CoordsColumn, _ValueColumn]


def _reject_rows(batch: CData, table_name: str | None, status: NDArray[Any],
                 keep: NDArray[Any]) -> list[dict[str, Any]]:
    n = len(status)
    lines = _array(lib.pinetl_batch_lines(batch), np.int64, n)
    offs = _array(lib.pinetl_batch_offsets(batch), np.int64, n)
    sids = _array(lib.pinetl_batch_source_ids(batch), np.uint32, n)
    raw = ffi.new("const char **")
    raw_len = ffi.new("size_t *")
    rows: list[dict[str, Any]] = []
    for r in np.flatnonzero(~keep).tolist():
        data: bytes | str = b""
        if lib.pinetl_batch_reject_raw(raw, raw_len, batch, r) == 0 and raw[0] != ffi.NULL:
            data = ffi.buffer(raw[0], raw_len[0])[:]
        try:
            data = data.decode("utf-8")  # type: ignore[union-attr]
        except UnicodeDecodeError:
            pass  # kept as bytes, like the CLI's raw_base64
        rows.append(dict(zip(REJECT_COLUMNS, (
            table_name,
            text(lib.pinetl_batch_source_name(batch, int(sids[r]))),
            int(lines[r]),
            int(offs[r]),
            text(lib.pinetl_reject_name(int(status[r]))),
            text(lib.pinetl_batch_reject_message(batch, r)),
            data))))
    return rows


class Collector:
    """The cleaned rows and the rejects of the batches of one table, as data owned by Python.

    add(batch) copies what it needs out of the batch (which may be reused right after);
    frame() builds the cleaned rows' DataFrame once; rejects holds one dict per rejected row.
    input_bytes, when known (the size of the files read), sizes the object columns from the
    first batch's bytes per row, so they are not copied as they grow."""

    def __init__(self, t: int, input_bytes: int | None = None) -> None:
        self.input_bytes = input_bytes
        self.table = t                      # a C pinetl_table value
        self.table_name = text(lib.pinetl_table_name(t))
        self.schema = table_columns(t)
        text_column = _ArrowTextColumn if arrow_text() else _TextColumn
        self.cols: list[_Column] = [
            text_column() if kind == "text" else _CoordsColumn() if kind == "coords"
            else _ValueColumn() for _, kind in self.schema]
        self.rejects: list[dict[str, Any]] = []
        self.rows = 0
        self._codes = ffi.new("pinetl_text_codes *")
        # the Arrow schema of the rows, once a batch is exported
        self._schema: pa.Schema | None = None

    def text_columns(self) -> int:
        """The reader option dict_columns that add(batch, reader) expects: every text column made
        of str objects (none when they are Arrow chunks)."""
        return sum(1 << c for c, col in enumerate(self.cols) if isinstance(col, _TextColumn))

    def add(self, batch: CData, reader: CData = None) -> None:
        """Copies out a batch; reader: the reader that handed it out, opened with dict_columns =
        text_columns() (its workers encoded the text columns). With a reader, Arrow text columns
        (pandas 3) take the batch over instead of copying it: the batch is then gone."""
        n = lib.pinetl_batch_rows(batch)
        keep = None
        if lib.pinetl_batch_rejected(batch):
            status = _array(lib.pinetl_batch_status(batch), np.uint8, n)
            keep = status == 0
            self.rejects += _reject_rows(batch, self.table_name, status, keep)
        if self.input_bytes and self.rows == 0 and n > 1:
            self._reserve(batch, n)
        taken: list[int] = []
        for c, col in enumerate(self.cols):
            if reader is not None and isinstance(col, _TextColumn):
                check(lib.pinetl_reader_text_codes(self._codes, reader, c))
                col.add_coded(batch, c, n, keep, self._codes)
            elif reader is not None and isinstance(col, _ArrowTextColumn):
                taken.append(c)
            else:
                col.add(batch, c, n, keep)
        if taken:
            # The batch itself becomes these columns' Arrow chunks (the C export takes it over
            # from the reader, kept rows moved in place): the text bytes are not copied at all.
            rb = self._export(reader)
            for c in taken:
                self.cols[c].chunks.append(rb.column(c))  # type: ignore[union-attr]
        self.rows += n

    def _export(self, reader: CData) -> pa.RecordBatch:
        if self._schema is None:
            self._schema = rows_schema(self.table)
        return export_reader_rows(reader, self._schema)

    def _reserve(self, batch: CData, n: int) -> None:
        last = int(_array(lib.pinetl_batch_offsets(batch), np.int64, n)[-1])
        if last > 0:
            rows = int((self.input_bytes or 0) * (n - 1) / last * 1.02) + n
            for col in self.cols:
                if isinstance(col, _TextColumn):
                    col.expect = rows    # reserved once the column needs it
                elif isinstance(col, _CoordsColumn):
                    col.out.reserve(rows)

    def frame(self, index: Any = None) -> DataFrame:
        """One DataFrame of the cleaned rows, in the spec's column order; the collector is
        emptied. int64 -> nullable Int64; timestamp -> datetime64[ns, UTC]; text -> text_dtype()
        (object of str or None on pandas 2, "str" with NaN for null on pandas 3); coords ->
        object ([lat, lon] list or None)."""
        pd = pandas()
        data = {}
        texts = text_dtype()
        for (name, kind), col in zip(self.schema, self.cols):
            if kind == "text":
                data[name] = text_array(col.finish(), texts)
                continue
            if kind == "coords":
                data[name] = col.finish()
                continue
            values, valid = col.finish()
            if kind == "int64":
                data[name] = pd.arrays.IntegerArray(values, ~valid)
            else:
                data[name] = _timestamps(values, valid, name)
        # copy=False: each column stays its own block (no consolidation copy of every column).
        return pd.DataFrame(data, index=index, copy=False)

    def rejects_frame(self) -> DataFrame:
        """The rejects as a DataFrame (see rejects_frame)."""
        return rejects_frame(self.rejects)


def text_dtype() -> Any:
    """The dtype of a text column: the one pandas itself gives a column of str, so a frame from
    pinetl looks like one the user's pandas made. pandas 2: object (str, None for null);
    pandas 3, or pandas 2 with pd.options.future.infer_string: "str", i.e.
    pd.StringDtype(na_value=np.nan) (null is NaN)."""
    return pandas().Series(["a"]).dtype


def text_array(texts: Any, dtype: Any) -> Any:
    """Texts as a column of dtype (text_dtype()): an object array of str/None (object stays as it
    is, no copy), or a pyarrow large_string chunked array (wrapped without a copy when dtype is
    Arrow-backed)."""
    pd = pandas()
    if not isinstance(texts, np.ndarray):
        if getattr(dtype, "storage", None) == "pyarrow":
            return pd.array(texts, dtype=dtype)
        texts = np.array(texts.to_pylist(), dtype=object)   # the dtype changed meanwhile
    if dtype == object:
        return texts
    return pd.array(texts, dtype=dtype)


def rejects_frame(rejects: list[dict[str, Any]]) -> DataFrame:
    """Rejects (dicts with REJECT_COLUMNS) as a DataFrame, each column typed as C exports it
    (rejects_schema()): integers (line, offset) int64, binary (raw) object (str, or bytes when
    the record is not UTF-8: the same dtype whatever the rows hold), text text_dtype()."""
    pd, pa = pandas(), _pa()
    texts = text_dtype()
    kinds = rejects_schema()
    data = {}
    for name in REJECT_COLUMNS:
        values = [r[name] for r in rejects]
        kind = kinds.field(name).type
        if pa.types.is_integer(kind):
            data[name] = np.array(values, dtype=np.int64)
        else:
            objects = np.empty(len(values), dtype=object)
            objects[:] = values
            binary = pa.types.is_binary(kind) or pa.types.is_large_binary(kind)
            data[name] = pd.Series(objects, dtype=object) if binary else \
                text_array(objects, texts)
    return pd.DataFrame(data)


def _timestamps(values: NDArray[Any], valid: NDArray[Any], name: str) -> Any:
    inside = (values >= _NS_MIN_US) & (values <= _NS_MAX_US)
    lost = int((valid & ~inside).sum())
    if lost:
        warnings.warn(f"column '{name}': {lost} timestamp(s) outside years 1677..2262 cannot be "
                      "held as datetime64[ns] and became NaT", TimestampRangeWarning, stacklevel=4)
    ns = np.where(valid & inside, values * 1000, _NAT)
    pd = pandas()
    # int64 nanoseconds since the epoch (NaT: the int64 minimum) as UTC instants, no copy.
    return pd.array(ns, dtype=pd.DatetimeTZDtype("ns", "UTC"), copy=False)


def empty_frame(table: Table) -> DataFrame:
    """The cleaned table's columns and dtypes, no rows."""
    return Collector(table_id(table)).frame()
