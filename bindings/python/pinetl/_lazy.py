"""pandas, loaded on first use: `import pinetl` stays light, since Airflow imports every DAG file
each time it parses them, and most of the C API (scalars, the warehouse, insights as text) needs
no DataFrame."""
import importlib
import sys


def pandas():
    """The pandas module (imported now when it is not yet)."""
    return importlib.import_module("pandas")


def loaded(name):
    """The module `name` when something has imported it already, else None (a value cannot be a
    pandas.Timestamp when pandas was never imported)."""
    return sys.modules.get(name)
