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


def _split(blob, n, bounds):
    """n texts from a buffer that holds each followed by a NUL byte: one decode and one
    str.split make every str. A text that holds NUL itself (JSON "\\u0000") would split wrongly:
    then each is decoded alone, text r at blob[b[r] .. b[r+1] - 1) where b = bounds() (n + 1
    positions, computed only then)."""
    parts = str(blob, "utf-8").split("\0")
    if len(parts) == n + 1:
        parts.pop()  # after the last separator
        return parts
    b = bounds().tolist()
    return [str(blob[b[r]:b[r + 1] - 1], "utf-8") for r in range(n)]


def _texts(data, offsets, n):
    """n texts laid out as data[offsets[r] .. offsets[r+1]) (C pointers) as a list of str: C
    copies them out with a NUL after each, then _split."""
    if n == 0:
        return []
    offs = _array(offsets, np.int64, n + 1)
    buf = bytearray(int(offs[n] - offs[0]) + n)
    check(lib.pinetl_text_join(data, offsets, n, b"\0", ffi.from_buffer(buf)))
    return _split(buf, n, lambda: offs - offs[0] + np.arange(n + 1))


def _dict_texts(d, first, count):
    """Texts first .. count - 1 of a text dictionary (stored with a NUL after each)."""
    offs = _array(lib.pinetl_text_dict_offsets(d), np.int64, count + 1)[first:]
    base = int(offs[0])
    blob = ffi.buffer(lib.pinetl_text_dict_data(d) + base, int(offs[-1]) - base)
    return _split(blob, count - first, lambda: offs - base)


class _TextColumn:
    """The rows of one text column across batches: str objects (None when null).

    Split rows go straight into one growing object array while they are fresh in the cache:
    concatenating per-batch arrays at the end would touch every str object twice more
    (reference counts), a cache miss each once there are millions."""

    __slots__ = ("out", "len", "dict", "strs", "codes", "rows")

    def __init__(self):
        self.out = np.empty(0, dtype=object)
        self.len = 0
        out = ffi.new("pinetl_text_dict **")
        check(lib.pinetl_text_dict_new(out))
        self.dict = ffi.gc(out[0], lib.pinetl_text_dict_free)
        self.strs = []     # dictionary mode: the str of each code
        self.codes = []    # dictionary mode: int32 code arrays of the kept rows (-1 = null)
        self.rows = 0

    def _append(self, items, nulls=None):
        """Appends a list or an object array; nulls: a bool mask of items to set to None."""
        end = self.len + len(items)
        if end > len(self.out):
            # realloc (no reference count touched); new slots hold 0 until written.
            self.out.resize(max(end, len(self.out) * 5 // 4 + 1024), refcheck=False)
        self.out[self.len:end] = items
        if nulls is not None:
            self.out[self.len:end][nulls] = None
        self.len = end

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
            self._append(items, None if valid.all() else ~valid)
            return
        codes = np.empty(n, dtype=np.int32)
        if n:
            check(lib.pinetl_text_dict_encode(self.dict, data, offsets, validity, n,
                                              ffi.from_buffer("int32_t[]", codes)))
        known, count = len(self.strs), lib.pinetl_text_dict_count(self.dict)
        if count > known:
            self.strs += _dict_texts(self.dict, known, count)
        self.codes.append(codes if keep is None else codes[keep])
        self.rows += n
        if self.rows >= _DICT_TRIAL_ROWS and 2 * count > self.rows:
            self._append(self._decoded())
            ffi.release(self.dict)
            self.dict, self.strs, self.codes = None, [], []

    def _decoded(self):
        table = np.empty(len(self.strs) + 1, dtype=object)
        table[:-1] = self.strs
        table[-1] = None  # code -1
        codes = self.codes[0] if len(self.codes) == 1 else np.concatenate(self.codes or [[]])
        return table[codes.astype(np.intp, copy=False)]

    def finish(self):
        if self.dict is not None and self.len == 0:
            out = self._decoded()   # dictionary all along: no copy
        else:
            if self.dict is not None:
                self._append(self._decoded())
            out = self.out[:self.len]   # a view: copying would touch every object again
        self.out, self.len = np.empty(0, dtype=object), 0
        self.dict, self.strs, self.codes = None, [], []
        return out


class _ValueColumn:
    """The rows of an int64, timestamp or coordinates column across batches: values and
    validity, concatenated once at the end."""

    __slots__ = ("kind", "values", "valid")

    def __init__(self, kind):
        self.kind = kind
        self.values, self.valid = [], []

    def add(self, batch, c, n, keep):
        if self.kind == "coords":
            values = _array(lib.pinetl_batch_coords(batch, c), np.float64, 2 * n).reshape(n, 2)
        else:
            values = _array(lib.pinetl_batch_int64(batch, c), np.int64, n)
        valid = _bitmap(lib.pinetl_batch_validity(batch, c), n)
        if keep is None:
            self.values.append(values.copy())
            self.valid.append(valid.copy())
        else:
            self.values.append(values[keep])
            self.valid.append(valid[keep])

    def finish(self):
        shape = (0, 2) if self.kind == "coords" else (0,)
        dtype = np.float64 if self.kind == "coords" else np.int64
        values = np.concatenate(self.values) if self.values else np.zeros(shape, dtype)
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
    frame() builds the cleaned rows' DataFrame once; rejects holds one dict per rejected row."""

    def __init__(self, table):
        self.table = table_id(table)
        self.table_name = text(lib.pinetl_table_name(self.table))
        self.schema = columns(self.table)
        self.cols = [_TextColumn() if kind == "text" else _ValueColumn(kind)
                     for _, kind in self.schema]
        self.rejects = []
        self.rows = 0

    def add(self, batch):
        n = lib.pinetl_batch_rows(batch)
        keep = None
        if lib.pinetl_batch_rejected(batch):
            status = _array(lib.pinetl_batch_status(batch), np.uint8, n)
            keep = status == 0
            self.rejects += _reject_rows(batch, self.table_name, status, keep)
        for c, col in enumerate(self.cols):
            col.add(batch, c, n, keep)
        self.rows += n

    def frame(self, index=None):
        """One DataFrame of the cleaned rows, in the spec's column order; the collector is
        emptied. int64 -> nullable Int64; timestamp -> datetime64[ns, UTC]; text -> object (str
        or None); coords -> object ([lat, lon] list or None)."""
        data = {}
        for (name, kind), col in zip(self.schema, self.cols):
            if kind == "text":
                data[name] = col.finish()
                continue
            values, valid = col.finish()
            if kind == "int64":
                data[name] = pd.arrays.IntegerArray(values, ~valid)
            elif kind == "timestamp":
                data[name] = _timestamps(values, valid, name)
            else:
                out = np.fromiter(values.tolist(), dtype=object, count=len(values))
                if not valid.all():
                    out[~valid] = None
                data[name] = out
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
