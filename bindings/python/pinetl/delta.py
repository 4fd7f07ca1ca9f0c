"""Cleaned tables and rejects as Delta tables, with deltalake (delta-rs: no JVM, no Spark).

    from pinetl import delta
    # Clean files and merge them into a Delta table (one row per ind, the later record wins, as
    # the SQLite warehouse does); rejects appended to their own table. app_id/version make the
    # run idempotent: a version already committed for app_id is skipped.
    delta.clean_to_delta("landing/pin/", "pin", "lake/pin", rejects_uri="lake/rejects",
                         mode="merge", partition_by="category", app_id="daily-pin", version=20260828)

    # A stream consumer: one DeltaSink, one application id per table, the stream position as the
    # transaction version; a batch whose position is already committed is skipped (exactly once).
    sink = delta.DeltaSink("lake", app_id="stream")
    sink.write(records, "pin", position=1042)      # rows -> lake/pin, rejects -> lake/rejects_pin

    # Catalog tables: delta-rs writes at a path; with a SparkSession, the table is then registered
    # in Spark's catalog (Hive metastore, Unity Catalog) by name (CREATE TABLE IF NOT EXISTS ...
    # USING DELTA LOCATION), and its properties set.
    delta.clean_to_delta("landing/pin/", "pin", "/lake/pin", spark=spark, name="lake.pin",
                         properties={"delta.appendOnly": "false"})
    delta.register(spark, "lake.geo", "/lake/geo")    # any Delta table already written

Tables have the cleaned columns of pinetl.spark.arrow_schema (int64, string, list<double>
coordinates, timestamp[us, UTC]); rejects those of pinetl.spark.REJECT_SCHEMA (raw text, or
raw_base64 when the record is not UTF-8). Spark reads them as ordinary Delta tables.
"""
from __future__ import annotations

import functools
import operator
import os
from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from ._arrow import read_json as _read_arrow
from ._errors import InvalidArgumentError
from ._ffi import lib
from .spark import _one_batch, _rejects_batch, arrow_schema, clean_arrow, reject_arrow_schema
from ._types import PathLike, Paths, Stats, Table

if TYPE_CHECKING:
    import pyarrow as pa
    from deltalake import CommitProperties, DeltaTable

# A Delta table's location (a local path or an object store URI).
Uri = PathLike

MODES = ("append", "merge")
_MAX_VERSION = 2**63 - 1  # Delta's transaction versions are signed 64-bit


def _deltalake() -> ModuleType:
    import deltalake
    return deltalake


def resolve_storage_options(uri: Uri,
                            given: dict[str, str] | None = None) -> dict[str, str] | None:
    """The delta-rs storage options for the table at uri: given as it is, except for an `s3://`
    uri, where the standard AWS configuration fills in what given leaves out: the endpoint
    (AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL; plain http allowed only for an http:// one), the
    region (AWS_REGION, else AWS_DEFAULT_REGION), and the commit safety: conditional put
    (`aws_conditional_put: etag`, each log entry created with If-None-Match: *, so two writers
    of the same version cannot both win), unless a locking provider (AWS_S3_LOCKING_PROVIDER) is
    configured. Credentials are not copied: delta-rs reads them from the same standard sources
    (environment, shared files, profiles). See docs/s3-pipeline.md."""
    if not str(uri).startswith("s3://"):
        return given
    out: dict[str, str] = {}
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    if endpoint:
        out["AWS_ENDPOINT_URL"] = endpoint
        if endpoint.startswith("http://"):
            out["AWS_ALLOW_HTTP"] = "true"
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if region:
        out["AWS_REGION"] = region
    keys = {k.upper() for k in (given or {})}
    if "AWS_S3_LOCKING_PROVIDER" not in keys and not os.environ.get("AWS_S3_LOCKING_PROVIDER"):
        out["aws_conditional_put"] = "etag"
    out.update(given or {})
    return out


_P = ParamSpec("_P")
_R = TypeVar("_R")
_REFUSED = ("SignatureDoesNotMatch", "InvalidAccessKeyId", "AccessDenied", "ExpiredToken",
            "InvalidToken", "403 Forbidden")


def _store_errors(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """For a table in a bucket (the first argument an s3:// uri): delta-rs' object store errors
    for a missing bucket and refused credentials as FileNotFoundError and PermissionError naming
    the table, the bucket and the endpoint (never a secret); the original is chained."""
    @functools.wraps(func)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return func(*args, **kwargs)
        except OSError as e:
            uri = str(args[0]) if args else ""
            if not uri.startswith("s3://") or isinstance(e, (FileNotFoundError, PermissionError)):
                raise
            text = str(e)
            bucket = uri[len("s3://"):].split("/", 1)[0]
            endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
            where = f" at {endpoint}" if endpoint else ""
            if "NoSuchBucket" in text:
                raise FileNotFoundError(f"Delta table {uri}: bucket {bucket!r} does not "
                                        f"exist{where}") from e
            for code in _REFUSED:
                if code in text:
                    raise PermissionError(
                        f"Delta table {uri}: the S3 server{where} refused the credentials "
                        f"({code}); check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or the "
                        "profile) for this endpoint") from e
            raise
    return run


def _table(uri: Uri, storage_options: dict[str, str] | None = None) -> DeltaTable | None:
    """The DeltaTable at uri, or None when there is none yet."""
    dl = _deltalake()
    try:
        return dl.DeltaTable(str(uri), storage_options=storage_options)
    except dl.exceptions.TableNotFoundError:
        return None


@_store_errors
def committed_version(uri: Uri, app_id: str,
                      storage_options: dict[str, str] | None = None) -> int | None:
    """The last transaction version committed to the table at uri by app_id (None: none yet)."""
    dt = _table(uri, resolve_storage_options(uri, storage_options))
    return None if dt is None else dt.transaction_version(app_id)


def _commit(app_id: str | None, version: object) -> CommitProperties | None:
    if app_id is None:
        if version is not None:
            raise ValueError("version= needs app_id=")
        return None
    number = None
    if not isinstance(version, bool):
        try:
            number = operator.index(version)  # type: ignore[arg-type]
        except TypeError:
            pass
    if number is None or not 0 <= number <= _MAX_VERSION:
        raise InvalidArgumentError(lib.PINETL_EINVAL,
                                   "app_id= needs a version= (a position) that is an integer "
                                   f"from 0 to 2**63-1 (a Delta transaction version), not "
                                   f"{version!r:.60}")
    dl = _deltalake()
    return dl.CommitProperties(app_transactions=[dl.Transaction(app_id, number)])


def _latest_per_ind(rows: pa.Table) -> pa.Table:
    """One row per ind, the last one of rows winning (input order)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    n = rows.num_rows
    if n == 0:
        return rows
    pos = pa.array(range(n), pa.int64())
    last = (pa.table({"ind": rows.column("ind"), "pos": pos})
              .group_by("ind", use_threads=False).aggregate([("pos", "max")]))
    keep = pc.sort_indices(last.column("pos_max"))
    return rows.take(pc.take(last.column("pos_max"), keep))


def _arrow_table(data: pa.Table | pa.RecordBatch, schema: pa.Schema) -> pa.Table:
    import pyarrow as pa
    if isinstance(data, pa.RecordBatch):
        data = pa.Table.from_batches([data])
    if not isinstance(data, pa.Table):
        raise TypeError(f"expected a pyarrow Table or RecordBatch, not {type(data).__name__}")
    return data.select(schema.names).cast(schema)


@_store_errors
def write(uri: Uri, table: Table, rows: pa.Table | pa.RecordBatch, *, mode: str = "append",
          partition_by: str | list[str] | None = None, app_id: str | None = None,
          version: int | None = None, storage_options: dict[str, str] | None = None) -> bool:
    """Writes cleaned rows of one table (pyarrow Table/RecordBatch in arrow_schema(table)) to the
    Delta table at uri, creating it when missing. Returns False, writing nothing, when app_id has
    already committed version (or a later one) to that table; else True.

    mode "append" adds the rows; "merge" keeps one row per ind: the rows are first reduced to the
    last one per ind (input order), then update the table's row of the same ind or are inserted.
    partition_by: a column name (or list) of the cleaned table to partition a new table by."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    dl = _deltalake()
    commit = _commit(app_id, version)
    data = _arrow_table(rows, arrow_schema(table))
    storage_options = resolve_storage_options(uri, storage_options)
    dt = _table(uri, storage_options)
    if dt is not None and app_id is not None:
        done = dt.transaction_version(app_id)
        if done is not None and version is not None and done >= version:
            return False
    if mode == "merge":
        data = _latest_per_ind(data)
    if dt is None or mode == "append":
        # A new table is created by its first commit, which carries the transaction too.
        dl.write_deltalake(dt if dt is not None else str(uri), data, mode="append",
                           partition_by=partition_by if dt is None else None,
                           storage_options=storage_options, commit_properties=commit)
        return True
    (dt.merge(data, predicate="t.ind = s.ind", source_alias="s", target_alias="t",
              commit_properties=commit)
       .when_matched_update_all().when_not_matched_insert_all().execute())
    return True


@_store_errors
def write_rejects(uri: Uri, rejects: pa.Table | pa.RecordBatch, *,
                  partition_by: str | list[str] | None = None, app_id: str | None = None,
                  version: int | None = None,
                  storage_options: dict[str, str] | None = None) -> bool:
    """Appends rejects (pyarrow, reject_arrow_schema()) to the Delta table at uri; idempotent
    with app_id/version like write(). Returns False when skipped."""
    dl = _deltalake()
    commit = _commit(app_id, version)
    data = _arrow_table(rejects, reject_arrow_schema())
    storage_options = resolve_storage_options(uri, storage_options)
    dt = _table(uri, storage_options)
    if dt is not None and app_id is not None:
        done = dt.transaction_version(app_id)
        if done is not None and version is not None and done >= version:
            return False
    dl.write_deltalake(dt if dt is not None else str(uri), data, mode="append",
                       partition_by=partition_by if dt is None else None,
                       storage_options=storage_options, commit_properties=commit)
    return True


def clean_to_delta(paths: Paths, table: Table, uri: Uri, *, rejects_uri: Uri | None = None,
                   mode: str = "merge", partition_by: str | list[str] | None = None,
                   app_id: str | None = None, version: int | None = None,
                   storage_options: dict[str, str] | None = None, spark: Any = None,
                   name: str | None = None, rejects_name: str | None = None,
                   properties: dict[str, Any] | None = None, **read_options: Any) -> Stats:
    """Cleans files (pinetl.arrow.read_json: any envelope, S3 sink directories) into the Delta
    table at uri, and their rejects into rejects_uri when given (each table carries its own
    application transaction: app_id, version). Returns the run's stats (pinetl.arrow.read_json's)
    plus "written" and "rejects_written" (False when that table already had the version).

    name (with spark, a SparkSession): after the write, the table is registered by that name
    (register(); rejects_name: the rejects' table, default the name's last part prefixed
    rejects_); the names are checked before anything is read."""
    names = _catalog_names(spark, name, rejects_name, rejects_uri)
    res = _read_arrow(paths, table, **read_options)
    rows = _one_batch(res.rows, arrow_schema(table))
    stats = dict(res.stats)
    stats["written"] = write(uri, table, rows, mode=mode, partition_by=partition_by,
                             app_id=app_id, version=version, storage_options=storage_options)
    if rejects_uri is not None:
        stats["rejects_written"] = write_rejects(rejects_uri, _rejects_batch(res.rejects),
                                                 app_id=app_id, version=version,
                                                 storage_options=storage_options)
    for registered, where in zip(names, (uri, rejects_uri)):
        register(spark, registered, str(where), properties=properties)
    return stats


def register(spark: Any, name: str, uri: Uri, *, properties: dict[str, Any] | None = None) -> None:
    """Registers the Delta table at uri in the catalog of spark (a SparkSession: Hive metastore,
    Unity Catalog) as name (table, schema.table or catalog.schema.table): CREATE TABLE IF NOT
    EXISTS ... USING DELTA LOCATION, its columns and partitioning those of the Delta log;
    properties are set when they differ. delta-rs has no catalog client; this is the one step
    that needs Spark (pinetl.spark.register_delta)."""
    from ._spark_tables import register_delta
    register_delta(spark, name, str(uri), properties)


def _catalog_names(spark: Any, name: str | None, rejects_name: str | None,
                   rejects_uri: Uri | None) -> list[str]:
    # The names clean_to_delta registers, checked before any work.
    from ._spark_tables import rejects_name as default_rejects
    from ._spark_tables import writable_name
    if name is None:
        if rejects_name is not None:
            raise ValueError("rejects_name= needs name=")
        return []
    if spark is None:
        raise ValueError("name= needs spark= (a SparkSession whose catalog registers the table)")
    names = [name] + ([rejects_name or default_rejects(name)] if rejects_uri else [])
    for n in names:
        writable_name(spark, n)
    return names


class DeltaSink:
    """Exactly-once Delta output for a stream consumer: under root, one Delta table per cleaned
    table (root/pin, root/geo, root/user) and one for each table's rejects (root/rejects_pin,
    ...). Each table is its own checkpoint: its last committed position for app_id is in its
    Delta log (an application transaction), written in the same commit as the rows.

    position: a non-negative integer that grows with the stream (a stream log's sequence
    number, a Kafka offset + 1, a Spark micro-batch id). A batch whose position a table has
    already committed is skipped there, so a consumer that restarts from an older checkpoint
    writes every record once."""

    def __init__(self, root: Uri, app_id: str, *, mode: str = "merge",
                 partition_by: dict[str, str | list[str]] | None = None,
                 storage_options: dict[str, str] | None = None) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        self.root = str(root).rstrip("/")
        self.app_id = app_id
        self.mode = mode
        self.partition_by = partition_by or {}
        self.storage_options = storage_options

    def uri(self, name: str) -> str:
        """The URI of the Delta table name under root."""
        return f"{self.root}/{name}"

    def position(self, table: str) -> int | None:
        """The last position committed to table's Delta table (None: none yet). A consumer resumes
        after min(position(rows), position(rejects))."""
        rows = committed_version(self.uri(table), self.app_id, self.storage_options)
        rej = committed_version(self.uri(f"rejects_{table}"), self.app_id, self.storage_options)
        known = [p for p in (rows, rej) if p is not None]
        return min(known) if len(known) == 2 else None

    def write(self, records: str | bytes | list[str | bytes], table: str, position: int, *,
              source: str | None = None, first_line: int = 1) -> tuple[int | None, int | None]:
        """Cleans records (as pinetl.spark.clean_arrow takes them) and commits rows and rejects
        at position; returns (rows written, rejects written), None for a table that had it."""
        _commit(self.app_id, position)  # a bad position is refused before any work
        rows, rej = clean_arrow(records, table, source=source, first_line=first_line)
        return self.write_arrow(rows, rej, table, position)

    def write_arrow(self, rows: pa.RecordBatch | pa.Table, rejects: pa.RecordBatch | pa.Table,
                    table: str, position: int) -> tuple[int | None, int | None]:
        """Commits already cleaned rows and rejects (pyarrow) at position."""
        done_rows = write(self.uri(table), table, rows, mode=self.mode,
                          partition_by=self.partition_by.get(table), app_id=self.app_id,
                          version=position, storage_options=self.storage_options)
        done_rej = write_rejects(self.uri(f"rejects_{table}"), rejects, app_id=self.app_id,
                                 version=position, storage_options=self.storage_options)
        return (rows.num_rows if done_rows else None, rejects.num_rows if done_rej else None)
