"""Exceptions: one class per C result code, each carrying the code and the C library's message.

The codes are C's (the PINETL_E* constants of common.h, read from the compiled module); this
module only chooses the Python class of each."""
from __future__ import annotations

from ._pinetl import lib


class Error(Exception):
    """A pinetl call failed. .code is the C result code (negative), .message the C message."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class PinetlMemoryError(Error, MemoryError):
    """PINETL_ENOMEM: an allocation failed."""


class InvalidArgumentError(Error, ValueError):
    """PINETL_EINVAL: a bad argument (unknown table, bad option, ...)."""


class PinetlIOError(Error):
    """PINETL_EIO: an input could not be opened or read, or an output written."""


class FormatError(Error, ValueError):
    """PINETL_EFORMAT: an input as a whole is unusable."""


class SQLError(Error):
    """PINETL_ESQL: the SQLite warehouse reported an error."""


class NotFoundError(Error, LookupError):
    """PINETL_ENOTFOUND: no such file, insight or column."""


_BY_CODE: dict[int, type[Error]] = {
    lib.PINETL_ENOMEM: PinetlMemoryError,
    lib.PINETL_EINVAL: InvalidArgumentError,
    lib.PINETL_EIO: PinetlIOError,
    lib.PINETL_EFORMAT: FormatError,
    lib.PINETL_ESQL: SQLError,
    lib.PINETL_ENOTFOUND: NotFoundError,
}


def error_for(code: int, message: str | None, description: str | None) -> Error:
    """The exception for a result code: the C message, or the code's fixed description."""
    return _BY_CODE.get(code, Error)(code, message or description or f"pinetl error {code}")
