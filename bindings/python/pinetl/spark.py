"""PySpark glue (Databricks and elsewhere): cleaning through mapInArrow, per-value pandas UDFs,
the nine insights in Spark SQL.

pyspark is imported only inside the functions that need it, so `import pinetl.spark` works
without it (the schemas and the Arrow functions need only pyarrow). Every rule lives in the C
library; this module moves Arrow record batches in and out of it, one call into C per batch.

Three ways in, from the most exact to the most convenient:

    from pinetl import spark as ps
    # 1. Files, cleaned exactly as `pinetl clean` cleans them (any envelope; rejects carry the
    #    file's path, line and byte offset):
    pin = ps.clean_files(spark, "/landing/pin/", "pin")
    bad = ps.rejects_files(spark, "/landing/pin/", "pin")
    # 2. One column of JSON text per record (Kafka `value`, Kinesis `data`, string or binary):
    pin = ps.clean(kafka_df, "pin", column="value")
    # 3. spark.read.json's inferred columns (see INFERRED_COLUMNS_CAVEATS):
    pin = ps.clean(spark.read.json("/landing/pin/"), "pin")

`clean` drops rejected rows; `rejects` returns them with reason and message (it cleans again:
cache the input when you need both). `latest` keeps one row per `ind`, the later one by position
(SPEC.md, "Later": clean_files' rows carry their file and offset), as the warehouse does;
`insights` computes the nine insights with the Spark SQL of the C library's catalog.
"""
from __future__ import annotations

import base64
import json
import math
import re
from collections.abc import Callable, Iterator, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any

from ._arrow import POSITION_COLUMNS as _C_POSITION_COLUMNS  # _source, _line, _offset
from ._arrow import clean_json as _arrow_clean_json
from ._cdata import rejects_schema as _c_rejects_schema
from ._clean import record_text
from ._columns import REJECT_COLUMNS
from ._errors import InvalidArgumentError
from ._ffi import lib
from ._scalar import age_group as _age_group
from ._scalar import columns
from ._spark_checks import ExecutorSetupError  # noqa: F401  (public: the probe's error)
from ._spark_checks import FILE_OPTIONS, STREAM_FILE_OPTIONS, TRIGGERS
from ._spark_checks import check_choice, check_columns, check_options, check_text_column
from ._spark_checks import probe_executors, spark_context
from ._spark_tables import register_delta  # noqa: F401  (public: delta-rs tables by name)
from ._spark_tables import check_properties, rejects_name, table_name, writable_name, write_delta
from ._types import PathLike, Table
from ._warehouse import insight_names
from ._warehouse import insight_sql as _insight_sql

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa
    from pyspark.sql import DataFrame, SparkSession
    from pyspark.sql.streaming.query import StreamingQuery


def check_table_name(spark: SparkSession, name: object) -> str:
    """The catalog table ``name`` (``table``, ``schema.table`` or ``catalog.schema.table``) as a
    writer will create or use it, checked on the driver: its form, and that its catalog and
    schema exist. Raises :class:`pinetl.errors.InvalidArgumentError` naming what is wrong. For
    jobs that write tables themselves (``pinetl_pipeline.databricks_jobs``)."""
    return writable_name(spark, name)


def check_table_properties(properties: dict[str, Any] | None) -> dict[str, str]:
    """Delta table properties as the writers set them (names and values as text), checked on the
    driver; raises :class:`pinetl.errors.InvalidArgumentError` for a malformed one."""
    return check_properties(properties)


# What mapInArrow runs: a partition's Arrow batches in, batches out.
Partitions = Callable[[Iterator["pa.RecordBatch"]], Iterator["pa.RecordBatch"]]

_SPARK_TYPES = {"int64": "BIGINT", "text": "STRING", "coords": "ARRAY<DOUBLE>",
                "timestamp": "TIMESTAMP"}

# The rejects as Spark holds them: C's reject fields, then raw_base64 (the bytes of a raw that is
# not UTF-8, which a STRING cannot hold). REJECT_SCHEMA, the DDL, is made from C's Arrow schema
# below.
_REJECT_NAMES = [*REJECT_COLUMNS, "raw_base64"]

# Where each cleaned row came from, for `latest` (SPEC.md, "Later"): the source's name (a file's
# path; a micro-batch's name) and the record's position in it (a file's byte offset; in a
# DataFrame, partition-major row order). Sources compare in byte order of their names.
POSITION_SCHEMA = "`_source` STRING, `_offset` BIGINT"
POSITION_COLUMNS = ("_source", "_offset")

INFERRED_COLUMNS_CAVEATS = """\
Cleaning spark.read.json's inferred columns gives the same rows as cleaning the JSON text, except:
1. type unification: a field that holds numbers in some records and strings in others is inferred
   as STRING for all, so its numbers arrive as text ({"index": 5.0} beside {"index": "12a"}
   becomes "5.0", a bad key, where the text form gives ind 5); integers beside fractions become
   doubles;
2. Spark's lenient parser accepts what JSON does not: single-quoted strings, NaN/Infinity, and
   text after the first value on a line ({"index": 6} {"index": 7} gives ind 6 where the text
   form rejects the line as invalid_json);
3. a JSON null and a missing field are the same to Spark: a null key is rejected as "field
   'index' is missing" rather than "... is null";
4. numbers are Spark's doubles and longs: a number with more digits than a double holds (e.g. an
   epoch timestamp with sub-microsecond digits) is rounded before pinetl sees it;
5. rejects name the Spark partition and row, not the file, line and byte offset.
Records Spark cannot parse (invalid JSON or UTF-8, non-objects) come through _corrupt_record and
are rejected with their raw text as the text form rejects them. For exact results read the text:
clean_files(spark, path, table), or clean(df, table, column=...) on a column of JSON text."""


def schema(table: Table) -> str:
    """The cleaned table's Spark schema as a DDL string, e.g. "`ind` BIGINT, `unique_id` STRING,
    ..."; columns and types come from the C library."""
    return ", ".join(f"`{name}` {_SPARK_TYPES[kind]}" for name, kind in columns(table))


# ---------------------------------------------------------------------------------------------
# Arrow: cleaned batches and rejects as pyarrow record batches

def _pa() -> ModuleType:
    import pyarrow
    return pyarrow


def arrow_schema(table: Table) -> pa.Schema:
    """The cleaned table as a pyarrow schema: int64, string, list<double> (coordinates),
    timestamp[us, UTC]."""
    pa = _pa()
    kinds = {"int64": pa.int64(), "text": pa.string(), "coords": pa.list_(pa.float64()),
             "timestamp": pa.timestamp("us", tz="UTC")}
    return pa.schema([(name, kinds[kind]) for name, kind in columns(table)])


def reject_arrow_schema() -> pa.Schema:
    """The rejects as a pyarrow schema (REJECT_SCHEMA): C's (pinetl.arrow.rejects_schema()) with
    every non-integer field a string, plus raw_base64."""
    pa = _pa()
    c = _c_rejects_schema()
    return pa.schema([(f.name, f.type if pa.types.is_integer(f.type) else pa.string())
                      for f in c] + [("raw_base64", pa.string())])


REJECT_SCHEMA = ", ".join(f"`{f.name}` {'BIGINT' if f.type == _pa().int64() else 'STRING'}"
                          for f in reject_arrow_schema())


def _one_batch(tbl: pa.Table, target: pa.Schema) -> pa.RecordBatch:
    # A table of the C export's batches, cast to target, as one RecordBatch (what mapInArrow
    # yields). The cast changes types, never values: large_string -> string, the coordinates'
    # fixed_size_list<double>[2] -> list<double>.
    pa = _pa()
    try:
        cast = tbl.cast(target)
    except pa.ArrowNotImplementedError:
        # pyarrow < 11 (Databricks runtime 14.3 has 8.0) has no cast from fixed_size_list to
        # list: those columns go through Python lists, the same values, then the cast.
        cast = pa.table([pa.chunked_array([pa.array(c.to_pylist(), type=pa.list_(f.type.value_type))
                                           for c in col.chunks], type=pa.list_(f.type.value_type))
                         if pa.types.is_fixed_size_list(f.type) else col
                         for f, col in zip(tbl.schema, tbl.columns)],
                        names=tbl.schema.names).cast(target)
    batches = cast.combine_chunks().to_batches()
    if not batches:
        return pa.RecordBatch.from_pylist([], schema=target)
    return batches[0]


def _raw_columns(raw: pa.ChunkedArray) -> tuple[list[str | None], list[str | None]]:
    # The C export's raw (large_binary: the record as it arrived) as REJECT_SCHEMA's raw (the
    # text, when it is UTF-8) or raw_base64 (its bytes in base64, when it is not).
    text: list[str | None] = []
    b64: list[str | None] = []
    for r in raw.to_pylist():
        try:
            text.append(r.decode("utf-8"))
            b64.append(None)
        except UnicodeDecodeError:
            text.append(None)
            b64.append(base64.b64encode(r).decode("ascii"))
    return text, b64


def _rejects_batch(rej: pa.Table) -> pa.RecordBatch:
    pa = _pa()
    target = reject_arrow_schema()
    text, b64 = _raw_columns(rej.column("raw"))
    cols = [pa.chunked_array([pa.array(text, pa.string())]) if n == "raw" else
            rej.column(n).cast(target.field(n).type) for n in REJECT_COLUMNS]
    cols += [pa.chunked_array([pa.array(b64, pa.string())])]
    return _one_batch(pa.Table.from_arrays(cols, schema=target), target)


def clean_arrow(records: str | bytes | bytearray | memoryview | Sequence[str | bytes], table: Table,
                *, source: str | None = None,
                first_line: int = 1,
                positions: bool = False) -> tuple[pa.RecordBatch, pa.RecordBatch]:
    """Cleans records in one call into C; returns (rows, rejects) as pyarrow RecordBatches
    (arrow_schema(table), reject_arrow_schema()).

    records: bytes/str holding JSON lines or envelopes as a file would (as `pinetl clean`), or a
    list of records, each the bytes/str of one record's JSON (an empty one is rejected) or a
    mapping (pinetl.clean_json's rules: a value that cannot be a record is a reject).
    positions=True: rows also carry the library's _source, _line and _offset of each record."""
    # The one place that goes from the C batch to Arrow: the library's Arrow C Data Interface
    # export (pinetl.arrow.clean_json), its columns cast to the Spark-facing schemas.
    pa = _pa()
    if not isinstance(records, (str, bytes, bytearray, memoryview, pa.Array, pa.ChunkedArray)):
        # Mappings, str with lone surrogates, anything: the binding's one record_text.
        records = pa.array([record_text(r) for r in records], pa.large_binary())
    res = _arrow_clean_json(records, table, source=source, first_line=first_line,
                            positions=positions)
    target = arrow_schema(table)
    if positions:
        for name in _C_POSITION_COLUMNS:
            target = target.append(res.rows.schema.field(name))
    return _one_batch(res.rows, target), _rejects_batch(res.rejects)


# ---------------------------------------------------------------------------------------------
# From Arrow batches of a Spark DataFrame to record texts

_SENTINEL = "\0pinetl:"
_SENTINEL_RE = re.compile(r'"\\u0000pinetl:([^"\\]*)\\u0000"')


def _json_default(value: object) -> str:
    # Values Spark hands over beside JSON's own: decimals keep their digits, timestamps and
    # dates their ISO text; a sentinel string carries a number's exact text (see _record_json).
    import datetime
    import decimal
    if isinstance(value, decimal.Decimal):
        return f"{_SENTINEL}{value}\0"
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    raise TypeError(f"a value of type {type(value).__name__} is not JSON")


def _nonfinite(value: Any) -> Any:
    # Infinity as the JSON number it was read from (1e999: out of range, then cleaned to null).
    if isinstance(value, float) and math.isinf(value):
        return f"{_SENTINEL}{'1e999' if value > 0 else '-1e999'}\0"
    if isinstance(value, dict):
        return {k: _nonfinite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nonfinite(v) for v in value]
    return value


def _record_json(row: dict[str, Any]) -> bytes:
    """One row of inferred columns as the JSON text of its record (null fields left out: a
    missing field and a null clean alike)."""
    record = {k: v for k, v in row.items() if v is not None}
    try:
        text = json.dumps(record, default=_json_default, ensure_ascii=False, allow_nan=False)
    except ValueError:  # inf or NaN: NaN stays NaN (not JSON: rejected, as in the text)
        text = json.dumps(_nonfinite(record), default=_json_default, ensure_ascii=False)
    if _SENTINEL[1:] in text:
        text = _SENTINEL_RE.sub(lambda m: m.group(1), text)
    return text.encode("utf-8")


def _as_bytes_list(arr: pa.Array) -> list[bytes | None]:
    # String columns go out as their bytes, unchecked (Spark keeps invalid UTF-8 as it was read).
    pa = _pa()
    if pa.types.is_string(arr.type):
        arr = arr.cast(pa.binary())
    elif pa.types.is_large_string(arr.type):
        arr = arr.cast(pa.large_binary())
    elif not (pa.types.is_binary(arr.type) or pa.types.is_large_binary(arr.type)):
        raise TypeError(f"a JSON text column must be STRING or BINARY, not {arr.type}")
    return arr.to_pylist()


def batch_records(batch: pa.RecordBatch, column: str | None = None) -> list[bytes]:
    """The record texts of an Arrow batch: column= names a column of JSON text (a null value is
    an empty record: rejected, never dropped), else each row's fields make the record (a row
    with _corrupt_record set is that text)."""
    if column is not None:
        if column not in batch.schema.names:
            raise KeyError(f"column {column!r} is not in the DataFrame "
                           f"(columns: {batch.schema.names})")
        return [b"" if v is None else v for v in _as_bytes_list(batch.column(column))]
    names = [n for n in batch.schema.names if n != "_corrupt_record"]
    # (Through a Table: RecordBatch.select is pyarrow 13's; Databricks runtime 14.3 has 8.0.)
    rows = _pa().Table.from_batches([batch]).select(names).to_pylist()
    if "_corrupt_record" not in batch.schema.names:
        return [_record_json(r) for r in rows]
    corrupt = _as_bytes_list(batch.column("_corrupt_record"))
    return [c if c is not None else _record_json(r) for c, r in zip(corrupt, rows)]


def _partition_source() -> str:
    return f"spark:partition={_partition_index()}"


def clean_partitions(table: Table, column: str | None = None,
                     source: str | None = None) -> Partitions:
    """The function mapInArrow runs: an iterator of raw Arrow batches -> cleaned batches. With a
    source (a name), rows carry POSITION_COLUMNS: _source = source, _offset = the row's place in
    the DataFrame (the partition's index in the bits above 2^40, then its 0-based row)."""
    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        base = _partition_index() << 40
        line = 1
        for batch in batches:
            rows, _ = clean_arrow(batch_records(batch, column), table, first_line=line,
                                  positions=source is not None)
            line += batch.num_rows
            if source is not None:
                # One record per element: C's line is the element's 1-based number.
                rows = _with_positions(rows, source, [base + v - 1 for v in
                                                      rows.column("_line").to_pylist()])
            yield rows
    return run


def _with_positions(rows: pa.RecordBatch, source: Any, offsets: Any) -> pa.RecordBatch:
    # The cleaned columns, then POSITION_COLUMNS (source may be one name for every row).
    pa = _pa()
    names = [n for n in rows.schema.names if n not in _C_POSITION_COLUMNS]
    if isinstance(source, str):
        source = [source] * rows.num_rows
    cols = [c.cast(t) if isinstance(c, pa.Array) else pa.array(c, t)
            for c, t in ((source, pa.string()), (offsets, pa.int64()))]
    return pa.RecordBatch.from_arrays([rows.column(n) for n in names] + cols,
                                      names=names + list(POSITION_COLUMNS))


def _partition_index() -> int:
    try:
        from pyspark import TaskContext
        ctx = TaskContext.get()
    except ImportError:
        ctx = None
    return ctx.partitionId() if ctx is not None else 0


def reject_partitions(table: Table, column: str | None = None,
                      keep: Sequence[str] = ()) -> Partitions:
    """The function mapInArrow runs for rejects: raw Arrow batches -> rejects batches; line is the
    row's 1-based position in its Spark partition, keep= input columns are carried along."""
    pyarrow = _pa()

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        source = _partition_source()
        line = 1
        for batch in batches:
            _, rej = clean_arrow(batch_records(batch, column), table, source=source,
                                 first_line=line)
            if keep:
                pos = pyarrow.array([v - line for v in rej.column("line").to_pylist()],
                                    pyarrow.int64())
                extra = [batch.column(k).take(pos) for k in keep]
                rej = pyarrow.RecordBatch.from_arrays(rej.columns + extra,
                                                      names=_REJECT_NAMES + _kept_names(keep))
            line += batch.num_rows
            yield rej
    return run


def _kept_names(keep: Sequence[str]) -> list[str]:
    # A kept column named like a reject column (Kafka's offset) gets the prefix input_.
    return [f"input_{k}" if k in _REJECT_NAMES else k for k in keep]


def _files_partitions(table: Table, want_rows: bool) -> Partitions:
    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            for path, content in zip(batch.column("path").to_pylist(),
                                     batch.column("content").to_pylist()):
                rows, rej = clean_arrow(content or b"", table, source=_local_path(path),
                                        positions=want_rows)
                if want_rows:
                    yield _with_positions(rows, rows.column("_source"),
                                          rows.column("_offset"))
                else:
                    yield rej
    return run


def _local_path(uri: str) -> str:
    # Spark names local files file:/x or file:///x; `pinetl clean` names them /x.
    if uri.startswith("file://"):
        return uri[len("file://"):]
    if uri.startswith("file:"):
        return uri[len("file:"):]
    return uri


# ---------------------------------------------------------------------------------------------
# DataFrames

def clean(df: DataFrame, table: Table, column: str | None = None,
          source: str | None = None) -> DataFrame:
    """Cleans a Spark DataFrame of raw records of one table (raw fields as columns, or one column
    of JSON text named by column=) into the cleaned table (schema(table)); rejected rows are left
    out. Rows keep their order within each partition.

    source: a name for the DataFrame as one source (e.g. a stream's micro-batch, see
    stream_to_delta); the rows then also carry POSITION_COLUMNS, so that `latest` over several
    such DataFrames keeps the record of the later source (names compare in byte order).

    Checked here, on the driver: the table, column= (a STRING or BINARY column of df), and once
    per SparkContext that the executors can import this pinetl (ExecutorSetupError says how to
    install it when they cannot)."""
    ddl = schema(table) if source is None else f"{schema(table)}, {POSITION_SCHEMA}"
    _check_frame(df, table, column)
    return df.mapInArrow(clean_partitions(table, column, source), ddl)


def rejects(df: DataFrame, table: Table, column: str | None = None,
            keep: Sequence[str] = ()) -> DataFrame:
    """The rejected rows of a Spark DataFrame of raw records: REJECT_SCHEMA, plus the input
    columns named in keep= (e.g. Kafka's topic, partition, offset) to tell where each came from;
    one named like a reject column is renamed input_<name> (offset -> input_offset)."""
    ddl = REJECT_SCHEMA
    _check_frame(df, table, column)
    check_columns(df, keep, "keep=")
    if keep:
        fields = {f.name: f for f in df.schema.fields}
        ddl += "".join(f", `{n}` {fields[k].dataType.simpleString()}"
                       for k, n in zip(keep, _kept_names(keep)))
    cols = df.columns if column is None else list(dict.fromkeys([column, *keep]))
    return df.select(*cols).mapInArrow(reject_partitions(table, column, tuple(keep)), ddl)


def _check_frame(df: DataFrame, table: Table, column: str | None) -> None:
    # What every cleaning call checks on the driver: the table (C refuses an unknown one), the
    # text column, and once per SparkContext the executors.
    columns(table)
    check_text_column(df, column)
    probe_executors(spark_context(df))


def _read_files(spark: SparkSession, path: str, options: dict[str, Any] | None) -> DataFrame:
    check_options(options, FILE_OPTIONS, "clean_files/rejects_files (binaryFile source)")
    probe_executors(spark.sparkContext)
    reader = spark.read.format("binaryFile")
    for key, value in (options or {}).items():
        reader = reader.option(key, value)
    return reader.load(path).select("path", "content")


def clean_files(spark: SparkSession, path: str, table: Table, **options: Any) -> DataFrame:
    """Cleans files (any envelope `pinetl clean` reads: JSON lines, arrays, Kafka REST bodies,
    Kafka dumps, Kinesis bodies) exactly as `pinetl clean` does, one Spark task per group of
    files (each file is cleaned whole, so one file must fit in a task's memory). options go to
    Spark's binaryFile reader (pathGlobFilter, recursiveFileLookup, ...).

    The rows are schema(table) then POSITION_COLUMNS: each record's file (as `pinetl clean`
    names it) and byte offset, which `latest` orders by (and drops)."""
    return _read_files(spark, path, options).mapInArrow(_files_partitions(table, True),
                                                         f"{schema(table)}, {POSITION_SCHEMA}")


def rejects_files(spark: SparkSession, path: str, table: Table, **options: Any) -> DataFrame:
    """The rejects of clean_files, as `pinetl clean --rejects` writes them: source is the file's
    path, line and offset its position in the file."""
    return _read_files(spark, path, options).mapInArrow(_files_partitions(table, False),
                                                         REJECT_SCHEMA)


def clean_pin(df: DataFrame, column: str | None = None) -> DataFrame:
    """clean(df, "pin", column)."""
    return clean(df, "pin", column)


def clean_geo(df: DataFrame, column: str | None = None) -> DataFrame:
    """clean(df, "geo", column)."""
    return clean(df, "geo", column)


def clean_user(df: DataFrame, column: str | None = None) -> DataFrame:
    """clean(df, "user", column)."""
    return clean(df, "user", column)


def latest(df: DataFrame, order: str | None = None) -> DataFrame:
    """One row per ind, the later one winning, as SPEC.md ("Later") defines it for every engine.

    With POSITION_COLUMNS (clean_files' rows; clean(..., source=) and stream_to_delta(...,
    positions=True) rows), later is by position: the later source (names in byte order), then
    the larger offset in it; the position columns are dropped from the result. Else later is
    order= (a column name) when given, else the DataFrame's own order (partition by partition,
    row by row), which is input order only for one file read as one partition."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F
    check_columns(df, [order, "ind"], "latest: order=" if order else "latest: column")
    positioned = order is None and all(c in df.columns for c in POSITION_COLUMNS)
    if positioned:
        keys = [F.col(c).desc() for c in POSITION_COLUMNS]
    else:
        df = df.withColumn("_pinetl_pos", F.col(order) if order is not None
                           else F.monotonically_increasing_id())
        keys = [F.col("_pinetl_pos").desc()]
    w = Window.partitionBy("ind").orderBy(*keys)
    out = (df.withColumn("_pinetl_rank", F.row_number().over(w))
             .where("_pinetl_rank = 1").drop("_pinetl_rank"))
    return out.drop(*POSITION_COLUMNS) if positioned else out.drop("_pinetl_pos")


# ---------------------------------------------------------------------------------------------
# Per-value UDFs (pandas UDFs over pinetl.pandas' Series functions)

def _pandas_udf(return_type: str, func: Callable[[pd.Series], pd.Series]) -> Any:
    from pyspark.sql.pandas.functions import pandas_udf
    # pyspark types pandas_udf by its Python type hints; these functions are lambdas.
    return pandas_udf(func, return_type)  # type: ignore[call-overload]


def _ints(series: pd.Series) -> pd.Series:
    return series.astype(object).where(series.notna(), None)


def follower_count_udf() -> Any:
    """A pandas UDF: follower_count text ("26k") -> BIGINT."""
    from . import pandas as pp
    return _pandas_udf("bigint", lambda s: _ints(pp.follower_count(s)))


def timestamp_udf() -> Any:
    """A pandas UDF: timestamp text or epoch seconds -> TIMESTAMP."""
    from . import pandas as pp
    return _pandas_udf("timestamp", lambda s: pp.timestamp(s))


def age_udf() -> Any:
    """A pandas UDF: age value -> BIGINT (null outside 0..150)."""
    from . import pandas as pp
    return _pandas_udf("bigint", lambda s: _ints(pp.age(s)))


def age_group_udf() -> Any:
    """A pandas UDF: age (BIGINT) -> its age group's name (pinetl.scalar.age_groups()) or null."""
    return _pandas_udf("string", lambda s: s.map(
        lambda a: None if a is None or a != a else _age_group(int(a))).astype(object))


# ---------------------------------------------------------------------------------------------
# The nine insights (SPEC section 3) in Spark SQL

def insight_sql(name: str, pin: str = "pin", geo: str = "geo", user: str = "user",
                median: str = "approx") -> str:
    """The Spark SQL of one insight over tables (or views) named pin, geo and user, each with one
    row per ind. median: "approx" (percentile_approx, the spec's default) or "interpolated".
    The text comes from the C library's catalog (pinetl.warehouse.insight_sql(..., dialect="spark")),
    which owns the year windows, age groups and medians of every dialect."""
    return _insight_sql(name, median=median, dialect="spark",
                        tables={"pin": pin, "geo": geo, "user": user})


def insights(spark: SparkSession, pin: DataFrame | str, geo: DataFrame | str,
             user: DataFrame | str, median: str = "approx") -> dict[str, DataFrame]:
    """The nine insights as Spark DataFrames, keyed by name (pinetl.warehouse.insight_names() order).
    pin, geo, user: cleaned DataFrames or catalog table names (table, schema.table,
    catalog.schema.table), one row per ind (see latest). A name is checked here (its form, and
    that the table exists); the temporary views made for DataFrames are dropped before
    returning (Spark has resolved them into the returned DataFrames' plans)."""
    import uuid
    check_choice(median, ("approx", "interpolated"), "insights: median=")
    names: dict[str, str] = {}
    views: list[str] = []
    try:
        for table, df in (("pin", pin), ("geo", geo), ("user", user)):
            if isinstance(df, str):
                table_name(spark, df)  # its form; C's insight_sql takes the plain name
                names[table] = df
                if not spark.catalog.tableExists(df):
                    raise InvalidArgumentError(lib.PINETL_EINVAL,
                                               f"insights: {table}={df!r}: no such table")
            else:
                view = f"pinetl_{table}_{uuid.uuid4().hex[:8]}"
                df.createOrReplaceTempView(view)
                views.append(view)
                names[table] = view
        return {name: spark.sql(insight_sql(name, median=median, **names))
                for name in insight_names()}
    finally:
        for view in views:
            spark.catalog.dropTempView(view)


# ---------------------------------------------------------------------------------------------
# Structured Streaming into Delta, exactly once per table

def stream_to_delta(stream: DataFrame, table: str, root: PathLike | None, checkpoint: PathLike,
                    *, column: str = "value", keep: Sequence[str] = (), app_id: str | None = None,
                    trigger: dict[str, Any] | None = None,
                    query_name: str | None = None, positions: bool = False,
                    name: str | None = None, rejects_table: str | None = None,
                    partition_by: str | Sequence[str] | None = None,
                    properties: dict[str, Any] | None = None) -> StreamingQuery:
    """Starts a Structured Streaming query that cleans a stream of JSON texts of one table (a
    Kafka source's `value`, a Kinesis `data`, a file source's column) into Delta tables:
    cleaned rows appended to <root>/<table>, rejects (with the keep= columns, e.g. Kafka's
    topic/partition/offset) to <root>/rejects_<table>.

    Catalog tables: name= (table, schema.table or catalog.schema.table) writes the cleaned rows
    to that table (saveAsTable), the rejects to rejects_table= (default: the name's last part
    prefixed rejects_, e.g. lake.rejects_pin); with root too, the tables are created at
    <root>/<table> and <root>/rejects_<table> (external tables), without root they are managed
    tables. partition_by: the cleaned table's partition columns (when the query creates it);
    properties: table properties of both tables (set when they differ).

    One query per table, one checkpoint per query. Each micro-batch is written with Delta's
    idempotent writes (txnAppId = app_id, txnVersion = the micro-batch id) in both tables, so a
    query restarted from its checkpoint after a crash at any point (after a Delta commit, before
    the checkpoint's) writes each micro-batch exactly once. app_id must stay the same across
    restarts (default "pinetl:<table>"). trigger: DataStreamWriter.trigger's keywords, e.g.
    {"availableNow": True}. positions=True: the cleaned rows also carry POSITION_COLUMNS, the
    micro-batch as their source (named "<app_id>:batch=<id, 20 digits>", so a later batch sorts
    later), so that `latest` over the table keeps the record of the later micro-batch.

    Table, column=, keep=, trigger=, the names, partition_by= and properties= are checked here,
    before the query starts; so are the executors (see clean). Returns the StreamingQuery."""
    spark = stream.sparkSession
    _check_frame(stream, table, column)
    check_columns(stream, keep, "keep=")
    check_options(trigger, TRIGGERS, "stream_to_delta: trigger=")
    cleaned = [c for c, _ in columns(table)]
    for part in [partition_by] if isinstance(partition_by, str) else partition_by or ():
        if part not in cleaned:
            raise InvalidArgumentError(lib.PINETL_EINVAL, f"partition_by={part!r}: not a column of "
                                       f"the cleaned {table} table ({', '.join(cleaned)})")
    props = check_properties(properties)
    if name is None and (root is None or rejects_table is not None):
        raise InvalidArgumentError(lib.PINETL_EINVAL, "stream_to_delta: give root= (a folder), "
                                   "name= (a catalog table) or both; rejects_table= needs name=")
    names: tuple[str | None, str | None] = (None, None)
    if name is not None:
        names = (name, rejects_table or rejects_name(name))
        for n in names:
            writable_name(spark, n)
    app_id = app_id or f"pinetl:{table}"
    base = None if root is None else str(root).rstrip("/")
    paths = (None, None) if base is None else (f"{base}/{table}", f"{base}/rejects_{table}")
    keep = tuple(keep)

    def write_batch(batch: DataFrame, batch_id: int) -> None:
        batch = batch.persist()
        try:
            source = f"{app_id}:batch={batch_id:020d}" if positions else None
            outputs = ((clean(batch, table, column, source), paths[0], names[0], partition_by),
                       (rejects(batch, table, column, keep=keep), paths[1], names[1], None))
            for df, path, table_id, parts in outputs:
                write_delta(df, path=path, name=table_id, partition_by=parts, properties=props,
                            options={"txnAppId": app_id, "txnVersion": batch_id})
        finally:
            batch.unpersist()

    writer = (stream.writeStream.foreachBatch(write_batch)
              .option("checkpointLocation", str(checkpoint)))
    if query_name:
        writer = writer.queryName(query_name)
    if trigger:
        writer = writer.trigger(**trigger)
    return writer.start()


KINESIS_SCHEMA = ("`streamName` STRING, `partitionKey` STRING, `sequenceNumber` STRING, "
                  "`approximateArrivalTimestamp` TIMESTAMP, `data` BINARY")


def kinesis_files(spark: SparkSession, path: PathLike, **options: Any) -> DataFrame:
    """A streaming DataFrame of Kinesis-shaped records from JSON-lines files under path (the local
    stand-in for Databricks' Kinesis source; `data` is base64 in the files, BINARY here). Files
    must appear whole (written elsewhere, then renamed into path). options go to the file
    source (maxFilesPerTrigger, ...)."""
    check_options(options, STREAM_FILE_OPTIONS, "kinesis_files (file source)")
    reader = spark.readStream.schema(KINESIS_SCHEMA)
    for key, value in options.items():
        reader = reader.option(key, value)
    return reader.json(str(path))


def stream_logs_to_files(landing: PathLike, out_dir: PathLike, *,
                         streams: Sequence[str] | None = None,
                         max_records: int = 10000) -> dict[tuple[str, str], int]:
    """Copies what is new in the stream logs `pinetl serve` wrote under <landing>/streams into
    Kinesis-shaped JSON-lines files under <out_dir>/<stream>/, which `kinesis_files(spark,
    out_dir/<stream>)` reads (files written aside, then renamed into place; positions remembered,
    so a re-run adds only new records). See pinetl.streamlog.to_kinesis_files; returns
    {(stream, shard): records copied}."""
    from .streamlog import to_kinesis_files
    return to_kinesis_files(landing, out_dir, streams=streams, max_records=max_records)
