"""Delta tables by catalog name for pinetl.spark and pinetl.delta: the name checked on the driver,
Spark writes by name (saveAsTable: a managed table, or an external one at a path), delta-rs tables
registered (CREATE TABLE ... USING DELTA LOCATION), table properties set only when they differ
(so a re-run adds no table version).

A name is `table`, `schema.table` or `catalog.schema.table` (Unity Catalog; on a Hive metastore
the catalog is spark_catalog); each part letters, digits and underscores, as the Hive metastore
and Unity Catalog accept without quoting."""
from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ._errors import InvalidArgumentError
from ._ffi import lib

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

_PART = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_PROPERTY = re.compile(r"[A-Za-z0-9_.\-]+\Z")


def _bad(message: str) -> InvalidArgumentError:
    return InvalidArgumentError(lib.PINETL_EINVAL, message)


def _catalogs(spark: SparkSession) -> set[str]:
    names = {"spark_catalog"}
    try:
        names |= {c.name for c in spark.catalog.listCatalogs()}
    except Exception:  # an older Spark: the configured ones only
        pass
    return names


def table_name(spark: SparkSession | None, name: object) -> str:
    """name as a quoted SQL identifier (`schema`.`table`), after checking it: one to three parts,
    each an identifier; of three, the first a catalog the session has. Raises
    InvalidArgumentError naming what is wrong."""
    form = ("a table name is table, schema.table or catalog.schema.table, each part letters, "
            "digits and _ (not starting with a digit)")
    if not isinstance(name, str):
        raise _bad(f"table name {name!r:.60}: not a string ({form})")
    parts = name.split(".")
    if len(parts) > 3 or not all(_PART.match(p) for p in parts):
        raise _bad(f"table name {name!r:.80}: {form}")
    if len(parts) == 3 and spark is not None:
        catalog = parts[0]
        if (spark.conf.get(f"spark.sql.catalog.{catalog}", None) is None
                and catalog not in _catalogs(spark)):
            raise _bad(f"table name {name!r}: the session has no catalog {catalog!r} (known: "
                       f"{', '.join(sorted(_catalogs(spark)))}; on a Hive metastore use "
                       "schema.table or spark_catalog.schema.table)")
    return ".".join(f"`{p}`" for p in parts)


def writable_name(spark: SparkSession, name: object) -> str:
    """table_name(), and the schema a two- or three-part name puts the table in exists (a writer
    does not create schemas: its first write would fail on an executor's micro-batch)."""
    ident = table_name(spark, name)
    schema, _, _ = str(name).rpartition(".")
    if schema and not spark.catalog.databaseExists(schema):
        raise _bad(f"table name {name!r}: the catalog has no schema {schema!r} (create it "
                   f"first: CREATE SCHEMA {schema})")
    return ident


def rejects_name(name: str) -> str:
    """The rejects' table beside a cleaned table's name: the last part prefixed rejects_
    (lake.pin -> lake.rejects_pin), as the paths are (<root>/rejects_<table>)."""
    head, _, last = name.rpartition(".")
    return f"{head}.rejects_{last}" if head else f"rejects_{last}"


def check_properties(properties: dict[str, Any] | None) -> dict[str, str]:
    """Table properties as text, their keys checked (letters, digits, _ . -)."""
    out = {}
    for key, value in (properties or {}).items():
        if not isinstance(key, str) or not _PROPERTY.match(key):
            raise _bad(f"table property {key!r:.60}: a key is letters, digits, _, . and -")
        out[key] = str(value).lower() if isinstance(value, bool) else str(value)
    return out


def _literal(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def set_properties(spark: SparkSession, ident: str, properties: dict[str, str]) -> None:
    """Sets the properties that differ from the table's (ALTER TABLE ... SET TBLPROPERTIES): none
    differing, no statement and no new table version."""
    if not properties:
        return
    have = {r[0]: r[1] for r in spark.sql(f"SHOW TBLPROPERTIES {ident}").collect()}
    change = {k: v for k, v in properties.items() if have.get(k) != v}
    if change:
        pairs = ", ".join(f"{_literal(k)} = {_literal(v)}" for k, v in change.items())
        spark.sql(f"ALTER TABLE {ident} SET TBLPROPERTIES ({pairs})")


def _location(uri: str) -> str:
    # Spark names local tables file:/x or file:///x; delta-rs and users /x.
    for prefix in ("file://", "file:"):
        if uri.startswith(prefix):
            return uri[len(prefix):].rstrip("/")
    return uri.rstrip("/")


def register_delta(spark: SparkSession, name: str, location: str,
                   properties: dict[str, Any] | None = None) -> None:
    """Registers the Delta table at location (written by delta-rs, or any Delta writer) in the
    session's catalog as name: CREATE TABLE IF NOT EXISTS name USING DELTA LOCATION '...'. Its
    columns and partitioning are the Delta log's. A name already registered at another location
    is an error."""
    ident = writable_name(spark, name)
    props = check_properties(properties)
    spark.sql(f"CREATE TABLE IF NOT EXISTS {ident} USING DELTA LOCATION {_literal(location)}")
    detail = spark.sql(f"DESCRIBE DETAIL {ident}").first()
    have = "" if detail is None else str(detail["location"])
    if _location(have) != _location(location):
        raise _bad(f"table {name!r} is registered at {have}, not at {location}")
    set_properties(spark, ident, props)


def write_delta(df: DataFrame, *, path: str | None = None, name: str | None = None,
                mode: str = "append", partition_by: str | Sequence[str] | None = None,
                properties: dict[str, str] | None = None,
                options: dict[str, Any] | None = None) -> None:
    """Writes df to a Delta table by path, by name (a managed table), or both (a table registered
    in the catalog at path). partition_by applies when the write creates the table; properties
    (checked by check_properties) are set when they differ; options go to the writer (e.g.
    txnAppId/txnVersion)."""
    writer = df.write.format("delta").mode(mode)
    for key, value in (options or {}).items():
        writer = writer.option(key, value)
    if partition_by:
        writer = writer.partitionBy(*([partition_by] if isinstance(partition_by, str)
                                      else partition_by))
    if name is None:
        if path is None:
            raise _bad("a Delta write needs a path or a table name")
        writer.save(path)
        if properties:
            set_properties(df.sparkSession, f"delta.`{path}`", properties)
        return
    spark = df.sparkSession
    ident = table_name(spark, name)
    if path is not None and not spark.catalog.tableExists(name):
        writer = writer.option("path", path)
    writer.saveAsTable(ident)
    set_properties(spark, ident, properties or {})
