"""From a C batch to pandas: columns are copied out of the batch in bulk (one buffer per column),
never field by field through the FFI, because the batch's memory is reused or freed afterwards."""
import warnings

import numpy as np
import pandas as pd

from ._ffi import ffi, lib, text
from ._scalar import columns

# datetime64[ns] covers years 1677..2262; the library accepts 0001..9999.
_NS_MIN_US = pd.Timestamp.min.value // 1000 + 1
_NS_MAX_US = pd.Timestamp.max.value // 1000
_NAT = np.iinfo(np.int64).min

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


def _text_column(batch, c, n, keep, valid):
    """The kept rows of a text column as an object array of str (None when null).

    The hot spot of read_json: one bytes copy and one decode per column, then str.split creates
    the row strings in C. Rows are joined by NUL, unless a text holds NUL itself; then each row
    is a slice of the decoded column (byte offsets mapped to code points)."""
    if n == 0:
        return np.empty(0, dtype=object)
    offsets = _array(lib.pinetl_batch_text_offsets(batch, c), np.int64, n + 1)
    first, total = int(offsets[0]), int(offsets[n])
    out = np.empty(n, dtype=object)
    if total > first:
        blob = ffi.buffer(lib.pinetl_batch_text_data(batch, c), total)[first:]
        offsets = offsets - first
        if blob.find(b"\0") < 0:
            joined = np.insert(np.frombuffer(blob, dtype=np.uint8), offsets[1:-1], 0)
            out[:] = joined.tobytes().decode("utf-8").split("\0")
        else:
            s = blob.decode("utf-8")
            if len(s) != len(blob):
                cont = np.zeros(len(blob) + 1, dtype=np.int64)
                np.cumsum((np.frombuffer(blob, dtype=np.uint8) & 0xC0) == 0x80, out=cont[1:])
                offsets = offsets - cont[offsets]
            bounds = offsets.tolist()
            out[:] = [s[bounds[r]:bounds[r + 1]] for r in range(n)]
    out[~valid] = None
    return out[keep]


class BatchPart:
    """The cleaned rows and the rejects of one batch, as Python/NumPy data owned by Python."""

    __slots__ = ("columns", "rejects", "rows", "cleaned")

    def __init__(self, batch, table, table_name, keep_rows=None):
        n = lib.pinetl_batch_rows(batch)
        status = _array(lib.pinetl_batch_status(batch), np.uint8, n)
        keep = status == 0
        self.rows = n
        self.cleaned = int(keep.sum())
        self.columns = []
        for c, (_, kind) in enumerate(columns(table)):
            valid = _bitmap(lib.pinetl_batch_validity(batch, c), n)
            if kind == "text":
                self.columns.append(_text_column(batch, c, n, keep, valid))
            elif kind == "coords":
                values = _array(lib.pinetl_batch_coords(batch, c), np.float64, 2 * n)
                self.columns.append((values.reshape(n, 2)[keep].copy(), valid[keep].copy()))
            else:
                values = _array(lib.pinetl_batch_int64(batch, c), np.int64, n)
                self.columns.append((values[keep].copy(), valid[keep].copy()))
        self.rejects = []
        if self.cleaned < n:
            lines = _array(lib.pinetl_batch_lines(batch), np.int64, n)
            offs = _array(lib.pinetl_batch_offsets(batch), np.int64, n)
            sids = _array(lib.pinetl_batch_source_ids(batch), np.uint32, n)
            raw = ffi.new("const char **")
            raw_len = ffi.new("size_t *")
            for r in np.flatnonzero(~keep).tolist():
                data = b""
                if lib.pinetl_batch_reject_raw(batch, r, raw, raw_len) == 0 and raw[0] != ffi.NULL:
                    data = ffi.buffer(raw[0], raw_len[0])[:]
                try:
                    data = data.decode("utf-8")
                except UnicodeDecodeError:
                    pass  # kept as bytes, like the CLI's raw_base64
                self.rejects.append({
                    "table": table_name,
                    "source": text(lib.pinetl_batch_source_name(batch, int(sids[r]))),
                    "line": int(lines[r]),
                    "offset": int(offs[r]),
                    "reason": text(lib.pinetl_reject_name(int(status[r]))),
                    "message": text(lib.pinetl_batch_reject_message(batch, r)),
                    "raw": data,
                })


def _timestamps(values, valid, name):
    inside = (values >= _NS_MIN_US) & (values <= _NS_MAX_US)
    lost = int((valid & ~inside).sum())
    if lost:
        warnings.warn(f"column '{name}': {lost} timestamp(s) outside years 1677..2262 cannot be "
                      "held as datetime64[ns] and became NaT", TimestampRangeWarning, stacklevel=4)
    ns = np.where(valid & inside, values * 1000, _NAT).view("datetime64[ns]")
    return pd.arrays.DatetimeArray(ns, dtype=pd.DatetimeTZDtype(tz="UTC"))


def build_frame(table, parts, index=None):
    """One DataFrame of the cleaned rows of all parts, in the spec's column order.

    int64 -> nullable Int64; timestamp -> datetime64[ns, UTC]; text -> object (str or None);
    coords -> object ([lat, lon] list or None)."""
    data = {}
    for c, (name, kind) in enumerate(columns(table)):
        pieces = [p.columns[c] for p in parts]
        if kind == "text":
            col = np.concatenate(pieces) if pieces else np.empty(0, dtype=object)
        else:
            values = np.concatenate([x[0] for x in pieces]) if pieces else np.zeros(0, np.int64)
            valid = np.concatenate([x[1] for x in pieces]) if pieces else np.zeros(0, bool)
            if kind == "int64":
                col = pd.arrays.IntegerArray(values.astype(np.int64, copy=False), ~valid)
            elif kind == "timestamp":
                col = _timestamps(values.astype(np.int64, copy=False), valid, name)
            else:
                pairs = values.reshape(-1, 2).tolist() if len(values) else []
                col = np.empty(len(pairs), dtype=object)
                col[:] = [p if ok else None for p, ok in zip(pairs, valid.tolist())]
        data[name] = col
    return pd.DataFrame(data, index=index)


def rejects_frame(parts):
    """The rejects of all parts as a DataFrame (columns REJECT_COLUMNS; raw is str, or bytes
    when the record is not UTF-8)."""
    rows = [r for p in parts for r in p.rejects]
    frame = pd.DataFrame(rows, columns=REJECT_COLUMNS)
    return frame.astype({"line": "int64", "offset": "int64"})
