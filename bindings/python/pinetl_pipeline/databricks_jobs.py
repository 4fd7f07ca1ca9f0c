"""The Databricks notebook's jobs (examples/databricks/pinterest_notebook.py) as plain functions,
so that tests run the same code on a local Spark session.

- batch_job: the Kafka Connect S3 sink copy of the three topics (what the Kafka side landed) ->
  cleaned with pinetl.spark (each object as `pinetl load` reads it) -> one Delta table per
  table, upserted by ind (MERGE; the later record wins, SPEC.md "Later"), plus the rejects with
  their reasons and positions (rejects_<table>, as pinetl.delta and pinetl.spark name them).
  Running it again on the same landing data changes nothing and adds no table version: each
  commit carries its input's fingerprint (commit userMetadata) and a fingerprint already in a
  table's history is not merged again. With database= ("schema" or "catalog.schema"), the tables
  are catalog tables <database>.<table> and <database>.rejects_<table> (saveAsTable, then MERGE
  by name), external at <delta_root>/<table> when delta_root is given, else managed.
- stream_job: one streaming query per table (its own checkpoint, never shared) reading the raw
  records (Kinesis on Databricks; a folder of JSON-lines files locally), cleaning each
  micro-batch with pinetl.spark and appending it to the table's Delta table. Each micro-batch is
  written as a Delta application transaction (txnAppId = the query, txnVersion = the batch id), so
  a micro-batch replayed after a failure is not appended twice.

pyspark and delta are imported inside the functions: `import pinetl_pipeline.databricks_jobs` needs
neither. Paths are anything Spark reads (dbfs:/, s3://, abfss://, local folders).
"""
import pinetl
from pinetl import s3sink
from pinetl import spark as ps

TABLES = tuple(pinetl.tables())   # the C library's list


def landing_glob(landing, table):
    """Glob patterns of the S3 sink objects of a table's topics (<table> and <prefix>.<table>)
    under landing: the layout's globs from C (pinetl.s3sink.table_globs), since Spark lists a
    remote store itself."""
    landing = landing.rstrip("/")
    return [f"{landing}/{g}" for g in s3sink.table_globs(table)]


def read_landing(spark, landing, table, read=None):
    """The raw records of a table in a Kafka Connect S3 sink copy: one JSON text per row, in a
    column named value (what pinetl.spark.clean(df, table, "value") takes); or, with read (e.g.
    pinetl.spark.clean_files), read(spark, pattern, table) over the sink's objects."""
    from pyspark.sql.utils import AnalysisException
    frames = []
    for pattern in landing_glob(landing, table):
        try:
            frames.append(spark.read.text(pattern) if read is None
                          else read(spark, pattern, table))
        except AnalysisException:  # no topic of that form: the other pattern has the data
            continue
    if not frames:
        raise FileNotFoundError(f"no S3 sink object of table {table!r} under {landing!r}")
    out = frames[0]
    for f in frames[1:]:
        out = out.unionByName(f)
    return out


def table_path(delta_root, table):
    return f"{delta_root.rstrip('/')}/{table}"


# The commit metadata that marks a batch_job commit with its input's fingerprint (SPEC.md, the
# Databricks batch job: a re-run of the same input is skipped by the table's history).
_TAG = "pinetl.batch_job input "


def fingerprint(frame):
    """An order-independent fingerprint of a DataFrame's rows: their number and the sum of a
    64-bit hash of each whole row (as a decimal: Spark's ANSI mode fails a long that overflows).
    Rows carry their source object and offset, so the same landing objects give the same
    fingerprint, and a changed, added or removed object another one."""
    from pyspark.sql import functions as F
    row_hash = F.xxhash64(*[F.col(f"`{c}`") for c in frame.columns]).cast("decimal(38,0)")
    n, total = frame.agg(F.count(F.lit(1)), F.sum(row_hash)).first()
    return f"{n}:{total or 0}"


class _Target:
    """A Delta table of the job: by path, by catalog name, or a name registered at a path."""

    def __init__(self, spark, delta_root, database, name):
        self.spark = spark
        self.path = None if delta_root is None else table_path(delta_root, name)
        self.name = None if database is None else f"{database}.{name}"

    def exists(self):
        from delta.tables import DeltaTable
        if self.name is not None:
            return self.spark.catalog.tableExists(self.name)
        return DeltaTable.isDeltaTable(self.spark, self.path)

    def table(self):
        from delta.tables import DeltaTable
        return (DeltaTable.forName(self.spark, self.name) if self.name is not None
                else DeltaTable.forPath(self.spark, self.path))

    def create(self, frame, tag, partition_by=None, properties=None):
        # Marked through the session (a saveAsTable's commit ignores the userMetadata option),
        # the properties' commit too.
        with _commit_metadata(self.spark, tag):
            ps.write_delta(frame, path=self.path, name=self.name, mode="errorifexists",
                           partition_by=partition_by, properties=properties)


def _committed(target, tag):
    """True when the target's Delta table has a commit marked with tag (its history holds it)."""
    if not target.exists():
        return False
    history = target.table().history().select("userMetadata")
    return history.where(history.userMetadata == tag).limit(1).count() > 0


class _commit_metadata:
    """Marks the Delta commits made inside the block (MERGE included) with text, through the
    session's spark.databricks.delta.commitInfo.userMetadata, restored on the way out."""
    KEY = "spark.databricks.delta.commitInfo.userMetadata"

    def __init__(self, spark, text):
        self.spark, self.text = spark, text

    def __enter__(self):
        self.before = self.spark.conf.get(self.KEY, None)
        self.spark.conf.set(self.KEY, self.text)

    def __exit__(self, *exc):
        if self.before is None:
            self.spark.conf.unset(self.KEY)
        else:
            self.spark.conf.set(self.KEY, self.before)


def _merge_by_ind(spark, cleaned, target, tag, **create):
    """Upserts cleaned rows into the target's Delta table by ind (creating it on first use). Of
    several rows of one ind, the later by position wins (SPEC.md, "Later"; pinetl.spark.latest).
    The commit is marked with tag (the input's fingerprint)."""
    rows = ps.latest(cleaned)
    if not target.exists():
        target.create(rows, tag, **create)
        return
    with _commit_metadata(spark, tag):
        (target.table().alias("t")
         .merge(rows.alias("s"), "t.ind = s.ind")
         .whenMatchedUpdateAll()
         .whenNotMatchedInsertAll()
         .execute())


def _merge_rejects(spark, rejects, target, tag, properties=None, **_):
    """Adds the rejects that are not there yet (same position, reason, message and raw bytes),
    the commit marked with tag."""
    if not target.exists():
        target.create(rejects, tag, properties=properties)
        return
    key = " AND ".join(f"t.`{c}` <=> s.`{c}`" for c in ("table", "source", "line", "offset",
                                                         "reason", "message", "raw", "raw_base64"))
    with _commit_metadata(spark, tag):
        (target.table().alias("t").merge(rejects.alias("s"), key)
         .whenNotMatchedInsertAll().execute())


def batch_job(spark, landing, delta_root, tables=TABLES, *, database=None, partition_by=None,
              properties=None):
    """Cleans each table's landing data into the Delta table <delta_root>/<table> (upsert by ind)
    and its rejects into <delta_root>/rejects_<table>. database: "schema" or "catalog.schema",
    for catalog tables <database>.<table> and <database>.rejects_<table> (delta_root may then be
    None: managed tables); partition_by: {table: column(s)} for the cleaned tables it creates;
    properties: table properties of every table (set when they differ). Names, partition columns
    and properties are checked before any Spark job. Returns {table: {"read", "cleaned",
    "rejected", "merged"}} (counted by Spark; merged: False when skipped as a re-run).

    Idempotent by the tables' history: each commit is marked (commit userMetadata) with the
    fingerprint of its input (the cleaned rows, or the rejects, with their objects and offsets),
    and a table whose history already holds that mark is not merged again, so a re-run of the
    same day adds no table version (before, its MERGE rewrote every matched row and added one).
    New or changed objects change the fingerprint and are merged."""
    out = {}
    if delta_root is None and database is None:
        raise ValueError("batch_job: give delta_root (a folder), database (a catalog schema) "
                         "or both")
    partition_by = partition_by or {}
    for table in tables:
        _check_targets(spark, database, table, partition_by.get(table), properties)
    for table in tables:
        # The objects cleaned as `pinetl load` cleans them: rows carry their object and offset.
        cleaned = read_landing(spark, landing, table, ps.clean_files).cache()
        rejects = read_landing(spark, landing, table, ps.rejects_files).cache()
        try:
            good, bad = cleaned.count(), rejects.count()
            # Each Delta table by its own input and history (a run stopped between the two
            # merges completes on the next one).
            merged = False
            for name, frame, merge in ((f"rejects_{table}", rejects, _merge_rejects),
                                       (table, cleaned, _merge_by_ind)):
                target = _Target(spark, delta_root, database, name)
                tag = f"{_TAG}{name} {fingerprint(frame)}"
                if not _committed(target, tag):
                    merge(spark, frame, target, tag, partition_by=partition_by.get(table),
                          properties=properties)
                    merged = True
        finally:
            cleaned.unpersist()
            rejects.unpersist()
        out[table] = {"read": good + bad, "cleaned": good, "rejected": bad, "merged": merged}
    return out


def _check_targets(spark, database, table, partition_by, properties):
    # On the driver, before any job: the names' form, the partition columns, the properties.
    from pinetl.spark import check_table_name, check_table_properties
    if database is not None:
        for name in (table, f"rejects_{table}"):
            check_table_name(spark, f"{database}.{name}")
    cleaned = [c for c, _ in pinetl.columns(table)]
    for part in [partition_by] if isinstance(partition_by, str) else partition_by or ():
        if part not in cleaned:
            raise ValueError(f"batch_job: partition_by {table}: {part!r} is not a column of the "
                             f"cleaned table ({', '.join(cleaned)})")
    check_table_properties(properties)


def kinesis_source(spark, stream_name, region):
    """The Databricks Kinesis source of one stream, as raw JSON texts in a column named value."""
    return (spark.readStream.format("kinesis")
            .option("streamName", stream_name)
            .option("region", region)
            .option("initialPosition", "trim_horizon")
            .load()
            .selectExpr("CAST(data AS STRING) AS value"))


def file_source(spark, folder, max_files_per_trigger=None):
    """The local stand-in for Kinesis: JSON-lines files appearing in folder (written elsewhere
    and renamed into place), one record per line, in a column named value."""
    reader = spark.readStream.format("text")
    if max_files_per_trigger:
        reader = reader.option("maxFilesPerTrigger", int(max_files_per_trigger))
    return reader.load(folder)


def append_batch(table, delta_root, app_id, database=None):
    """The foreachBatch function of a table's query: cleans the micro-batch and appends it (and
    its rejects) to Delta as application transaction (app_id, batch_id): idempotent. With
    database, to the catalog tables <database>.<table> and <database>.rejects_<table>."""
    def run(frame, batch_id):
        raw = frame.where("trim(value) != ''")
        for name, rows, txn in ((table, ps.clean(raw, table, "value"), app_id),
                                (f"rejects_{table}", ps.rejects(raw, table, "value"),
                                 f"{app_id}.rejects")):
            ps.write_delta(rows, path=None if delta_root is None else table_path(delta_root, name),
                           name=None if database is None else f"{database}.{name}",
                           options={"txnAppId": txn, "txnVersion": batch_id})
    return run


def stream_job(spark, sources, delta_root, checkpoint_root, available_now=False,
               app_prefix="pinetl-stream", database=None):
    """Starts one streaming query per table: sources is {table: streaming DataFrame with a value
    column}; each query has its own checkpoint <checkpoint_root>/<table>; database: catalog
    tables as batch_job's (checked before any query starts). Returns {table:
    StreamingQuery}. With available_now, each query processes what is there and stops
    (Trigger.AvailableNow); wait with query.awaitTermination()."""
    queries = {}
    for table, source in sources.items():
        _check_targets(spark, database, table, None, None)
        ps.clean(source, table, "value")   # the column and the executors, checked on the driver
    for table, source in sources.items():
        writer = (source.writeStream
                  .queryName(f"{app_prefix}-{table}")
                  .option("checkpointLocation", f"{checkpoint_root.rstrip('/')}/{table}")
                  .foreachBatch(append_batch(table, delta_root, f"{app_prefix}-{table}",
                                             database)))
        if available_now:
            writer = writer.trigger(availableNow=True)
        queries[table] = writer.start()
    return queries
