"""The exceptions (one class per C result code, each a pinetl.errors.Error carrying the code and
the C message) and the one warning of the binding."""
from ._columns import TimestampRangeWarning
from ._errors import (Error, FormatError, InvalidArgumentError, NotFoundError, PinetlIOError,
                      PinetlMemoryError, SQLError)

__all__ = ["Error", "FormatError", "InvalidArgumentError", "NotFoundError", "PinetlIOError",
           "PinetlMemoryError", "SQLError", "TimestampRangeWarning"]
