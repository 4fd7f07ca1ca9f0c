"""The compiled CFFI module and the one helper every call goes through: result codes to exceptions."""
from __future__ import annotations

import operator
import os

from ._pinetl import ffi as ffi, lib as lib  # re-exported
from ._errors import InvalidArgumentError, error_for
from ._types import CData


def check(rc: int) -> int:
    """Raises the pinetl exception for a negative result code; returns rc otherwise.

    Must run right after the C call, on the same thread: the message is thread-local in C."""
    if rc < 0:
        raise error_for(rc, ffi.string(lib.pinetl_error_last()).decode("utf-8", "replace"),
                        ffi.string(lib.pinetl_strerror(rc)).decode("utf-8", "replace"))
    return rc


def text(ptr: CData) -> str | None:
    """A C string (const char *) as str; None for NULL."""
    if ptr == ffi.NULL:
        return None
    return ffi.string(ptr).decode("utf-8", "replace")


def as_bytes(value: object, what: str = "value") -> bytes:
    """str -> UTF-8 bytes; bytes-like -> bytes; anything else is a TypeError naming the argument."""
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    raise TypeError(f"{what} must be str or bytes, not {type(value).__name__}")


def c_string(value: object, what: str = "value") -> bytes:
    """as_bytes for a NUL-terminated C string (a name, a path, SQL): a NUL inside would end it
    early without a word (read_json('a\\x00b') opened 'a'), so it is an InvalidArgumentError."""
    data = as_bytes(value, what)
    if b"\0" in data:
        raise InvalidArgumentError(lib.PINETL_EINVAL,
                                   f"{what} {value!r} contains a NUL byte, which C cannot hold")
    return data


def c_path(value: object, what: str = "path") -> bytes:
    """A file path (str, bytes or os.PathLike) as a C string, NUL refused as by c_string."""
    if not isinstance(value, (str, bytes, os.PathLike)):
        raise TypeError(f"{what} must be a path (str, bytes or os.PathLike), not "
                        f"{type(value).__name__}")
    return c_string(os.fsencode(value), what)


def c_int64(value: object, what: str = "value") -> int:
    """An int for an int64_t argument: out of range is an InvalidArgumentError, not cffi's
    OverflowError."""
    if isinstance(value, bool):
        raise TypeError(f"{what} must be an integer, not bool")
    try:
        number = operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(f"{what} must be an integer, not {type(value).__name__}") from None
    if not -2**63 <= number < 2**63:
        raise InvalidArgumentError(lib.PINETL_EINVAL,
                                   f"{what} {number} does not fit in 64 bits")
    return number


def record_bytes(value: object, what: str = "value") -> bytes:
    """Like as_bytes, for input records: a str that is not valid Unicode (a lone surrogate, as
    json.loads('"\\ud800"') makes) still encodes, to bytes that are not UTF-8, so that C rejects
    that one record with its reason instead of the whole call failing here."""
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass")
    return as_bytes(value, what)


def owned_string(ptr: CData) -> str:
    """A string that pinetl allocated (char * from *_to_json and the like): copied, then freed."""
    ptr = ffi.gc(ptr, lib.pinetl_free)
    try:
        out: str = ffi.string(ptr).decode("utf-8")
        return out
    finally:
        ffi.release(ptr)
