"""From C batches to pandas: columns are copied out of each batch in bulk (one call per column),
never field by field through the FFI, because the batch's memory is reused or freed afterwards.

A Collector gathers the batches of one run column by column and builds the DataFrame once at the
end (no per-batch frames to concatenate). Text columns, the bulk of the work, make their str
objects in C-sized steps: a text dictionary (C) names each distinct text once, so a column of
repeated values (category, country, a repeated post's title) makes one str per distinct text and
shares it between rows; a column of mostly distinct texts (unique_id) switches to one split per
batch instead, where a dictionary would only cost."""
import warnings

import numpy as np
import pandas as pd

from ._ffi import check, ffi, lib, text
from ._scalar import columns, table_id

# datetime64[ns] covers years 1677..2262; the library accepts 0001..9999.
_NS_MIN_US = pd.Timestamp.min.value // 1000 + 1
_NS_MAX_US = pd.Timestamp.max.value // 1000
_NAT = np.iinfo(np.int64).min

# A text column leaves its dictionary once it has seen this many rows and more than half of them
# were new texts.
_DICT_TRIAL_ROWS = 4096

REJECT_COLUMNS = ["table", "source", "line", "offset", "reason", "message", "raw"]


class TimestampRangeWarning(UserWarning):
    """A cleaned timestamp lies outside what datetime64[ns] holds (1677..2262) and became NaT."""


def _array(ptr, ctype, count):
    if count == 0 or ptr == ffi.NULL:
        return np.zeros(0, dtype=ctype)
    dtype = np.dtype(ctype)
    return np.frombuffer(ffi.buffer(ptr, count * dtype.itemsize), dtype=dtype)


def _bitmap(ptr, n):
    if n == 0:
        return np.zeros(0, dtype=bool)
    raw = np.frombuffer(ffi.buffer(ptr, (n + 7) // 8), dtype=np.uint8)
    return np.unpackbits(raw, count=n, bitorder="little").view(bool)


# Rows decoded per str.split: large enough that the Python call is cheap per row, small enough
# that the joined text stays a small, reused allocation and one wide character (an emoji) makes
# only its own chunk a wide (UCS-4) string.
_SPLIT_ROWS = 512


def _split(blob, b):
    """Texts from a buffer that holds each followed by a NUL byte: text r at
    blob[b[r] .. b[r+1] - 1) (b: n + 1 positions). One decode and one str.split per chunk of
    rows make the str objects; a text that holds NUL itself (JSON "\\u0000") would split
    wrongly, so then that chunk's texts are decoded one by one."""
    n = len(b) - 1
    view = memoryview(blob)
    cuts = b[::_SPLIT_ROWS].tolist() + ([int(b[n])] if n % _SPLIT_ROWS else [])
    out = []
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


def _texts(data, offsets, n):
    """n texts laid out as data[offsets[r] .. offsets[r+1]) (C pointers) as a list of str: C
    copies them out with a NUL after each, then _split."""
    if n == 0:
        return []
    offs = _array(offsets, np.int64, n + 1)
    buf = bytearray(int(offs[n] - offs[0]) + n)
    check(lib.pinetl_text_join(data, offsets, n, b"\0", ffi.from_buffer(buf)))
    return _split(buf, offs - offs[0] + np.arange(n + 1))


def _dict_texts(d, first, count):
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

    def __init__(self):
        self.out = np.empty(0, dtype=object)
        self.len = 0

    def reserve(self, n):
        if n > len(self.out):
            # realloc (no reference count touched); new slots hold 0 until written.
            self.out.resize(n, refcheck=False)

    def append(self, items, nulls=None):
        """Appends a list or an object array; nulls: a bool mask of items to set to None."""
        end = self.len + len(items)
        if end > len(self.out):
            self.reserve(max(end, len(self.out) * 3 // 2 + 1024))
        self.out[self.len:end] = items
        if nulls is not None:
            self.out[self.len:end][nulls] = None
        self.len = end

    def finish(self):
        out = self.out[:self.len]  # a view: a copy would touch every object again
        self.out, self.len = np.empty(0, dtype=object), 0
        return out


class _TextColumn:
    """The rows of one text column across batches: str objects (None when null)."""

    __slots__ = ("out", "dict", "strs", "rows")

    def __init__(self):
        self.out = _Objects()
        out = ffi.new("pinetl_text_dict **")
        check(lib.pinetl_text_dict_new(out))
        self.dict = ffi.gc(out[0], lib.pinetl_text_dict_free)
        self.strs = _Objects()   # dictionary mode: the str of each code, then None (code -1)
        self.strs.append([None])
        self.strs.len = 0
        self.rows = 0

    def add(self, batch, c, n, keep):
        data = lib.pinetl_batch_text_data(batch, c)
        offsets = lib.pinetl_batch_text_offsets(batch, c)
        validity = lib.pinetl_batch_validity(batch, c)
        if self.dict is None:
            items = _texts(data, offsets, n)
            valid = _bitmap(validity, n)
            if keep is not None:  # rejected rows are rare: filter through a small array
                items = np.fromiter(items, dtype=object, count=n)[keep]
                valid = valid[keep]
            self.out.append(items, None if valid.all() else ~valid)
            return
        codes = np.empty(n, dtype=np.int32)
        if n:
            check(lib.pinetl_text_dict_encode(self.dict, data, offsets, validity, n,
                                              ffi.from_buffer("int32_t[]", codes)))
        known, count = self.strs.len, lib.pinetl_text_dict_count(self.dict)
        if count > known:
            self.strs.append(_dict_texts(self.dict, known, count) + [None])
            self.strs.len -= 1   # the None stays after the last str, for code -1
        strs = self.strs.out[:count + 1]
        self.out.append(strs[codes if keep is None else codes[keep]])
        self.rows += n
        if self.rows >= _DICT_TRIAL_ROWS and 2 * count > self.rows:
            ffi.release(self.dict)
            self.dict, self.strs = None, None

    def finish(self):
        self.dict, self.strs = None, None
        return self.out.finish()


class _CoordsColumn:
    """Coordinates across batches: a [lat, lon] list per row (None when null), made per batch,
    while the worker threads clean the next ones."""

    __slots__ = ("out",)

    def __init__(self):
        self.out = _Objects()

    def add(self, batch, c, n, keep):
        values = _array(lib.pinetl_batch_coords(batch, c), np.float64, 2 * n).reshape(n, 2)
        valid = _bitmap(lib.pinetl_batch_validity(batch, c), n)
        if keep is not None:
            values, valid = values[keep], valid[keep]
        pairs = np.fromiter(values.tolist(), dtype=object, count=len(values))
        self.out.append(pairs, None if valid.all() else ~valid)

    def finish(self):
        return self.out.finish()


class _ValueColumn:
    """The rows of an int64 or timestamp column across batches: values and validity,
    concatenated once at the end."""

    __slots__ = ("values", "valid")

    def __init__(self):
        self.values, self.valid = [], []

    def add(self, batch, c, n, keep):
        values = _array(lib.pinetl_batch_int64(batch, c), np.int64, n)
        valid = _bitmap(lib.pinetl_batch_validity(batch, c), n)
        if keep is None:
            self.values.append(values.copy())
            self.valid.append(valid.copy())
        else:
            self.values.append(values[keep])
            self.valid.append(valid[keep])

    def finish(self):
        values = np.concatenate(self.values) if self.values else np.zeros(0, np.int64)
        valid = np.concatenate(self.valid) if self.valid else np.zeros(0, bool)
        self.values, self.valid = [], []
        return values, valid


def _reject_rows(batch, table_name, status, keep):
    n = len(status)
    lines = _array(lib.pinetl_batch_lines(batch), np.int64, n)
    offs = _array(lib.pinetl_batch_offsets(batch), np.int64, n)
    sids = _array(lib.pinetl_batch_source_ids(batch), np.uint32, n)
    raw = ffi.new("const char **")
    raw_len = ffi.new("size_t *")
    rows = []
    for r in np.flatnonzero(~keep).tolist():
        data = b""
        if lib.pinetl_batch_reject_raw(batch, r, raw, raw_len) == 0 and raw[0] != ffi.NULL:
            data = ffi.buffer(raw[0], raw_len[0])[:]
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            pass  # kept as bytes, like the CLI's raw_base64
        rows.append({
            "table": table_name,
            "source": text(lib.pinetl_batch_source_name(batch, int(sids[r]))),
            "line": int(lines[r]),
            "offset": int(offs[r]),
            "reason": text(lib.pinetl_reject_name(int(status[r]))),
            "message": text(lib.pinetl_batch_reject_message(batch, r)),
            "raw": data,
        })
    return rows


class Collector:
    """The cleaned rows and the rejects of the batches of one table, as data owned by Python.

    add(batch) copies what it needs out of the batch (which may be reused right after);
    frame() builds the cleaned rows' DataFrame once; rejects holds one dict per rejected row.
    input_bytes, when known (the size of the files read), sizes the object columns from the
    first batch's bytes per row, so they are not copied as they grow."""

    def __init__(self, table, input_bytes=None):
        self.input_bytes = input_bytes
        self.table = table_id(table)
        self.table_name = text(lib.pinetl_table_name(self.table))
        self.schema = columns(self.table)
        self.cols = [_TextColumn() if kind == "text" else _CoordsColumn() if kind == "coords"
                     else _ValueColumn() for _, kind in self.schema]
        self.rejects = []
        self.rows = 0

    def add(self, batch):
        n = lib.pinetl_batch_rows(batch)
        keep = None
        if lib.pinetl_batch_rejected(batch):
            status = _array(lib.pinetl_batch_status(batch), np.uint8, n)
            keep = status == 0
            self.rejects += _reject_rows(batch, self.table_name, status, keep)
        if self.input_bytes and self.rows == 0 and n > 1:
            self._reserve(batch, n)
        for c, col in enumerate(self.cols):
            col.add(batch, c, n, keep)
        self.rows += n

    def _reserve(self, batch, n):
        last = int(_array(lib.pinetl_batch_offsets(batch), np.int64, n)[-1])
        if last > 0:
            rows = int(self.input_bytes * (n - 1) / last * 1.02) + n
            for col in self.cols:
                if isinstance(col, (_TextColumn, _CoordsColumn)):
                    col.out.reserve(rows)

    def frame(self, index=None):
        """One DataFrame of the cleaned rows, in the spec's column order; the collector is
        emptied. int64 -> nullable Int64; timestamp -> datetime64[ns, UTC]; text -> object (str
        or None); coords -> object ([lat, lon] list or None)."""
        data = {}
        for (name, kind), col in zip(self.schema, self.cols):
            if kind in ("text", "coords"):
                data[name] = col.finish()
                continue
            values, valid = col.finish()
            if kind == "int64":
                data[name] = pd.arrays.IntegerArray(values, ~valid)
            else:
                data[name] = _timestamps(values, valid, name)
        # copy=False: each column stays its own block (no consolidation copy of every column).
        return pd.DataFrame(data, index=index, copy=False)

    def rejects_frame(self):
        """The rejects as a DataFrame (columns REJECT_COLUMNS; raw is str, or bytes when the
        record is not UTF-8)."""
        frame = pd.DataFrame(self.rejects, columns=REJECT_COLUMNS)
        return frame.astype({"line": "int64", "offset": "int64"})


def _timestamps(values, valid, name):
    inside = (values >= _NS_MIN_US) & (values <= _NS_MAX_US)
    lost = int((valid & ~inside).sum())
    if lost:
        warnings.warn(f"column '{name}': {lost} timestamp(s) outside years 1677..2262 cannot be "
                      "held as datetime64[ns] and became NaT", TimestampRangeWarning, stacklevel=4)
    ns = np.where(valid & inside, values * 1000, _NAT).view("datetime64[ns]")
    return pd.arrays.DatetimeArray(ns, dtype=pd.DatetimeTZDtype(tz="UTC"))


def empty_frame(table):
    """The cleaned table's columns and dtypes, no rows."""
    return Collector(table).frame()
