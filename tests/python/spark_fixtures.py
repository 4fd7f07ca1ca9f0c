"""The one Spark session of a pytest run (imported by conftest.py; other tests just ask for `spark`).

A local[2] PySpark session with Delta Lake (delta-spark) and Spark's Kafka source: their jars come
from Maven Central through spark.jars.packages on the first run and from Ivy's cache
(~/.ivy2.5.2) after that. Loopback only (SPARK_LOCAL_IP, driver host and bind address), no UI,
two shuffle partitions, a small driver heap, UTC session time zone. The session starts when the
first test asks for it and stops at the end of the run; its warehouse, checkpoints and scratch
space live in a temporary directory of the run."""
import os
import sys

import pytest

SPARK_VERSION = None  # filled in from pyspark when the session starts


def spark_packages():
    """Maven coordinates the session loads: delta-spark for this pyspark (the artifact
    configure_spark_with_delta_pip picks) and the Kafka source of the exact Spark version."""
    import importlib.metadata
    import pyspark
    spark_version = pyspark.__version__
    major_minor = ".".join(spark_version.split(".")[:2])
    delta_version = importlib.metadata.version("delta-spark")
    # The Scala of pyspark's jars: 2.13 for Spark 4, 2.12 for Spark 3.5 (the oldest Databricks
    # LTS runtime's, tests/wheels/dbr.sh), whose delta-spark artifact has no Spark version in it.
    jars = os.listdir(os.path.join(os.path.dirname(pyspark.__file__), "jars"))
    scala = next(".".join(j[len("scala-library-"):].split(".")[:2])
                 for j in jars if j.startswith("scala-library-"))
    delta = f"delta-spark_{major_minor}_{scala}" if int(major_minor.split(".")[0]) >= 4 else f"delta-spark_{scala}"
    return [f"io.delta:{delta}:{delta_version}",
            f"org.apache.spark:spark-sql-kafka-0-10_{scala}:{spark_version}"]


# Transitive jars of delta-spark and the Kafka source that Spark itself ships (in newer or equal
# versions): left out, so the classpath holds one copy of each.
SPARK_SHIPS = [
    "at.yawk.lz4:lz4-java", "com.fasterxml.jackson.core:jackson-annotations",
    "com.fasterxml.jackson.core:jackson-core", "com.fasterxml.jackson.core:jackson-databind",
    "com.github.luben:zstd-jni", "com.google.code.findbugs:jsr305", "commons-pool:commons-pool",
    "io.airlift:aircompressor", "org.apache.hadoop:hadoop-client-api",
    "org.apache.hadoop:hadoop-client-runtime", "org.apache.logging.log4j:log4j-api",
    "org.apache.logging.log4j:log4j-core", "org.apache.logging.log4j:log4j-slf4j2-impl",
    "org.apache.parquet:parquet-column", "org.apache.parquet:parquet-common",
    "org.apache.parquet:parquet-encoding", "org.apache.parquet:parquet-format-structures",
    "org.apache.parquet:parquet-hadoop", "org.apache.parquet:parquet-jackson",
    "org.locationtech.jts:jts-core", "org.roaringbitmap:RoaringBitmap", "org.roaringbitmap:shims",
    "org.scala-lang.modules:scala-parallel-collections_2.13", "org.slf4j:slf4j-api",
    "org.xerial.snappy:snappy-java"]


def start_spark(scratch, hive=False):
    """Starts (or returns) the local session; scratch: a directory for the warehouse and
    Spark's local files. hive=True: Spark's Hive metastore on a Derby database under scratch
    (tests of catalog tables run it in a process of their own)."""
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    # The Python workers run the interpreter of the tests (it has pinetl, pyarrow, pandas).
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    from delta import configure_spark_with_delta_pip
    from pyspark.sql import SparkSession

    kafka = [p for p in spark_packages() if "kafka" in p]
    builder = (SparkSession.builder
               .master("local[2]")
               .appName("pinetl-tests")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.driver.host", "127.0.0.1")
               .config("spark.driver.bindAddress", "127.0.0.1")
               .config("spark.driver.memory", "1g")
               .config("spark.jars.excludes", ",".join(SPARK_SHIPS))
               .config("spark.sql.shuffle.partitions", "2")
               .config("spark.default.parallelism", "2")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.warehouse.dir", os.path.join(scratch, "warehouse"))
               .config("spark.local.dir", os.path.join(scratch, "local"))
               # The client compiler only and a serial GC: short test jobs on a shared 2-core
               # machine finish sooner without C2's compile threads.
               .config("spark.driver.extraJavaOptions",
                       "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC "
                       f"-Dderby.system.home={os.path.join(scratch, 'derby')}")
               .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
               .config("spark.sql.catalog.spark_catalog",
                       "org.apache.spark.sql.delta.catalog.DeltaCatalog")
               .config("spark.databricks.delta.snapshotPartitions", "2")
               .config("spark.sql.streaming.forceDeleteTempCheckpointLocation", "true"))
    if hive:
        derby = os.path.join(scratch, "metastore_db")
        builder = (builder.config("spark.sql.catalogImplementation", "hive")
                   .config("spark.hadoop.javax.jdo.option.ConnectionURL",
                           f"jdbc:derby:;databaseName={derby};create=true"))
    session = configure_spark_with_delta_pip(builder, extra_packages=kafka).getOrCreate()
    session.sparkContext.setLogLevel("WARN")
    global SPARK_VERSION
    SPARK_VERSION = session.version
    return session


@pytest.fixture(scope="session")
def spark(tmp_path_factory):
    """The run's SparkSession (local[2], Delta and Kafka source loaded)."""
    session = start_spark(str(tmp_path_factory.mktemp("spark")))
    yield session
    session.stop()


# ---- comparing Spark's results with the CLI's, value for value ----

def _timestamp_text(value):
    # The spec's output form: YYYY-MM-DDTHH:MM:SSZ, or .ffffffZ with microseconds.
    import datetime
    if value is None:
        return None
    value = value.astimezone(datetime.timezone.utc)
    form = "%Y-%m-%dT%H:%M:%S.%fZ" if value.microsecond else "%Y-%m-%dT%H:%M:%SZ"
    return value.strftime(form)


def to_arrow(df):
    """df's rows as one Arrow table: DataFrame.toArrow (Spark 4), or on Spark 3.5 the Arrow
    batches its toPandas collects (the same conversion, without pandas)."""
    import pyarrow as pa
    if hasattr(df, "toArrow"):
        return df.toArrow()
    from pyspark.sql.pandas.types import to_arrow_schema
    return pa.Table.from_batches(df._collect_as_arrow(), schema=to_arrow_schema(df.schema))


def spark_rows(df):
    """A cleaned Spark DataFrame's rows as the dicts the CLI's JSON lines parse to (timestamps
    as the spec's text), in the DataFrame's order."""
    import pyarrow as pa
    table = to_arrow(df)
    ts = [f.name for f in table.schema if pa.types.is_timestamp(f.type)]
    rows = table.to_pylist()
    for row in rows:
        for name in ts:
            row[name] = _timestamp_text(row[name])
    return rows


def spark_rejects(df):
    """A rejects DataFrame's rows as the dicts of `pinetl clean --rejects` (raw or raw_base64,
    whichever is set)."""
    out = []
    for row in to_arrow(df).to_pylist():
        if row.get("raw_base64") is None:
            row.pop("raw_base64", None)
        else:
            row.pop("raw", None)
        out.append(row)
    return out


def cli_clean(cli, table, path, tmp_path):
    """(rows, rejects) of `pinetl clean` on path (or a list of paths), as lists of dicts."""
    import json
    rej = tmp_path / f"{table}.cli-rejects.jsonl"
    paths = path if isinstance(path, list) else [path]
    proc = cli("clean", "--table", table, "--quiet", "--rejects", rej, *paths)
    rows = [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines() if line]
    rejects = [json.loads(line) for line in rej.read_text("utf-8").splitlines() if line]
    return rows, rejects
