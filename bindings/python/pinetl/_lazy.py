"""pandas, loaded on first use: `import pinetl` stays light, since Airflow imports every DAG file
each time it parses them, and most of the C API (scalars, the warehouse, insights as text) needs
no DataFrame."""
from __future__ import annotations

import functools
import gc
import importlib
import sys
from typing import Any


def module(name: str) -> Any:
    """The module `name`, imported now when it is not yet. A first import runs with the cyclic
    garbage collector paused: pandas and pyarrow make some hundred thousand objects as they load,
    none of them garbage, and the collections those set off would walk them all, again and again
    (about 5 % of their import's CPU)."""
    loaded_module = sys.modules.get(name)
    if loaded_module is not None:
        return loaded_module
    enabled = gc.isenabled()
    gc.disable()
    try:
        return importlib.import_module(name)
    finally:
        if enabled:
            gc.enable()


def pandas() -> Any:
    """The pandas module (imported now when it is not yet)."""
    return module("pandas")


def loaded(name: str) -> Any:
    """The module `name` when something has imported it already, else None (a value cannot be a
    pandas.Timestamp when pandas was never imported)."""
    return sys.modules.get(name)


@functools.cache
def _installed_pandas_major() -> int:
    """The major version of the installed pandas when pyarrow is installed too (pandas 3's "str"
    is Arrow-backed only then), else 0."""
    import importlib.metadata   # here: `import pinetl` stays light
    import importlib.util
    if importlib.util.find_spec("pyarrow") is None:
        return 0
    try:
        return int(importlib.metadata.version("pandas").split(".")[0])
    except (importlib.metadata.PackageNotFoundError, ValueError):
        return 0


def arrow_text() -> bool:
    """True when pandas' text dtype (pd.Series(["a"]).dtype) is the Arrow-backed "str": pandas 3
    (pyarrow, a dependency of pinetl, installed), or pandas 2 with future.infer_string. Asked of
    pandas when it is loaded; else told by the installed version, without loading it (its
    options are then the defaults)."""
    pd = loaded("pandas")
    if pd is None:
        return _installed_pandas_major() >= 3
    return bool(getattr(pd.Series(["a"]).dtype, "storage", None) == "pyarrow")
