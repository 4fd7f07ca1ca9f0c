"""pinetl.spark's checks on the driver, made when a DataFrame or query is built rather than at
its first action on an executor: the columns a call names, the options it passes on, and (once
per SparkContext) whether the executors' Python can import this pinetl at all.

Spark's own rules (which options its sources know, which Python its executors run) are Spark's;
this module only says early, and in one message, what Spark would say late or not at all."""
from __future__ import annotations

import os
import sys
import threading
import weakref
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ._errors import InvalidArgumentError
from ._ffi import lib

if TYPE_CHECKING:
    from pyspark import SparkContext
    from pyspark.sql import DataFrame

# The options of Spark's binaryFile source that clean_files passes on (the generic file source
# options; binaryFile has no others).
FILE_OPTIONS = frozenset({"pathGlobFilter", "recursiveFileLookup", "modifiedBefore",
                          "modifiedAfter", "ignoreCorruptFiles", "ignoreMissingFiles", "basePath"})
# The options of Spark's streaming file source (kinesis_files), beside FILE_OPTIONS.
STREAM_FILE_OPTIONS = FILE_OPTIONS | {"maxFilesPerTrigger", "maxBytesPerTrigger", "latestFirst",
                                      "fileNameOnly", "maxFileAge", "maxCachedFiles",
                                      "discardCachedInputRatio", "cleanSource",
                                      "sourceArchiveDir", "mode", "multiLine", "encoding",
                                      "lineSep", "timestampFormat", "dateFormat"}
# DataStreamWriter.trigger's keywords.
TRIGGERS = frozenset({"processingTime", "once", "continuous", "availableNow"})


def _bad(message: str) -> InvalidArgumentError:
    return InvalidArgumentError(lib.PINETL_EINVAL, message)


def check_columns(df: DataFrame, names: Iterable[str | None], what: str) -> None:
    """Raises at once when a named column (what: the argument's name, e.g. "column=") is not in
    df, naming it and the columns present."""
    present = list(df.columns)
    for name in names:
        if name is not None and name not in present:
            raise _bad(f"{what} {name!r}: the DataFrame has no such column "
                       f"(its columns: {', '.join(present) or 'none'})")


def check_text_column(df: DataFrame, column: str | None) -> None:
    """column= must name a STRING or BINARY column of df (the JSON text of each record)."""
    if column is None:
        return
    check_columns(df, [column], "column=")
    kind = df.schema[column].dataType.simpleString()
    if kind not in ("string", "binary"):
        raise _bad(f"column={column!r} is {kind.upper()}: a column of JSON text must be STRING "
                   "or BINARY (leave column= out to clean the DataFrame's own columns)")


def check_options(options: dict[str, Any] | None, known: Iterable[str], what: str) -> None:
    """Raises at once for an option Spark's source would silently ignore."""
    known = sorted(known)
    for key in options or {}:
        if key not in known:
            raise _bad(f"{what}: unknown option {key!r} (Spark would ignore it; known: "
                       f"{', '.join(known)})")


def check_choice(value: object, allowed: Sequence[str], what: str) -> None:
    if value not in allowed:
        raise _bad(f"{what} must be one of {', '.join(map(repr, allowed))}, not {value!r:.60}")


# ---------------------------------------------------------------------------------------------
# The executor probe

class ExecutorSetupError(RuntimeError):
    """The executors' Python cannot run pinetl (missing, another version, or no Python)."""


_probed: weakref.WeakKeyDictionary[Any, str | None] = weakref.WeakKeyDictionary()
_probe_lock = threading.Lock()

# Run on one executor. Compiled from text, so that cloudpickle ships it by value: a function of
# this module would be pickled by reference, and unpickling it would need the very pinetl whose
# absence it reports.
_PROBE_SOURCE = '''
def probe(_):
    import sys
    try:
        import pinetl
        found = ("ok", getattr(pinetl, "__version__", "?"))
    except Exception as e:
        found = ("error", "%s: %s" % (type(e).__name__, e))
    yield (found[0], found[1], sys.executable, "%d.%d.%d" % sys.version_info[:3])
'''


def _probe_function() -> Any:
    space: dict[str, Any] = {}
    exec(compile(_PROBE_SOURCE, "<pinetl executor probe>", "exec"), space)  # noqa: S102
    return space["probe"]


def _install_advice(sc: SparkContext, found: str) -> str:
    import pinetl
    env = os.environ.get("PYSPARK_PYTHON")
    runs = getattr(sc, "pythonExec", None) or env or "python3"
    builder = sc.getConf().get("spark.pyspark.python", None)
    lines = [
        f"pinetl.spark: the executors' Python cannot run pinetl {pinetl.__version__}: {found}.",
        "Install the pinetl wheel of that version as a cluster library on every executor "
        "(Databricks: the cluster's Libraries tab, Install new, Python Whl; elsewhere: pip "
        "install the wheel into the Python the executors run; spark.submit.pyFiles cannot "
        "ship it, it holds a compiled extension).",
        f"The executors run {runs}: PySpark takes it from the PYSPARK_PYTHON environment "
        "variable of the process that starts the SparkContext (set it before the session is "
        f"built; it is {env or 'unset'}; the driver runs {sys.executable})."]
    if builder is not None and builder != runs:
        lines.append(f"spark.pyspark.python={builder} was set on the session builder, but "
                     "PySpark ignores that setting there: the executors run PYSPARK_PYTHON's "
                     f"Python ({runs}).")
    return "\n".join(lines)


def probe_executors(sc: SparkContext | None) -> None:
    """Runs a one-task job that imports pinetl on an executor, once per SparkContext; raises
    ExecutorSetupError with what to do when it cannot (or imports another version)."""
    if sc is None:
        return
    with _probe_lock:
        if sc in _probed:
            failure = _probed[sc]
        else:
            failure = _run_probe(sc)
            _probed[sc] = failure
    if failure is not None:
        raise ExecutorSetupError(failure)


def _run_probe(sc: SparkContext) -> str | None:
    import pinetl
    try:
        status, detail, exe, version = sc.parallelize([0], 1).mapPartitions(
            _probe_function()).collect()[0]
    except Exception as e:  # the job failed: no Python, or a Python PySpark cannot use
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        return _install_advice(sc, f"the probe job failed ({first[:300]})")
    if status != "ok":
        return _install_advice(sc, f"{exe} (Python {version}) says {detail}")
    if detail != pinetl.__version__:
        return _install_advice(sc, f"{exe} (Python {version}) has pinetl {detail}")
    return None


def spark_context(df: DataFrame) -> SparkContext | None:
    """The DataFrame's SparkContext (None under Spark Connect, which has none on the client)."""
    try:
        return df.sparkSession.sparkContext
    except Exception:  # Spark Connect: no SparkContext on the client
        return None
