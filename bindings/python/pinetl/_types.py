"""The binding's type aliases (annotations only; nothing here runs C)."""
from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any, Union

# A CFFI pointer, array or struct: the compiled module (_pinetl.pyi) is untyped.
CData = Any
# A table: its name ("pin", "geo", "user", str or bytes) or its C pinetl_table value.
Table = Union[str, bytes, int]
# Text handed to C as it is: str (UTF-8) or bytes-like.
Text = Union[str, bytes, bytearray, memoryview]
# One input path, or several.
PathLike = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]
Paths = Union[PathLike, Iterable[PathLike]]
# A cleaning run's totals, as the CLI's summary (JSON object).
Stats = dict[str, Any]
