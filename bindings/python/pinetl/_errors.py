"""Exceptions: one class per C result code, each carrying the code and the C library's message."""


class Error(Exception):
    """A pinetl call failed. .code is the C result code (negative), .message the C message."""

    def __init__(self, code, message):
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


class RejectError(Error):
    """PINETL_EREJECT: strict mode saw a rejected record."""


class NotFoundError(Error, LookupError):
    """PINETL_ENOTFOUND: no such file, insight or column."""


_BY_CODE = {
    -2: PinetlMemoryError,
    -3: InvalidArgumentError,
    -4: PinetlIOError,
    -5: FormatError,
    -6: SQLError,
    -7: RejectError,
    -8: NotFoundError,
}


def error_for(code, message, description):
    """The exception for a result code: the C message, or the code's fixed description."""
    return _BY_CODE.get(code, Error)(code, message or description or f"pinetl error {code}")
