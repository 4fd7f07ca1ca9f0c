"""Run by test_spark_s3a.py in its own process (a Spark session of its own: hadoop-aws is on its
classpath, not on the run's shared session's). Reads through s3a:// what the S3 API holds:

    spark_s3a_job.py LANDING_S3_URI DELTA_S3_ROOT SCRATCH

- every table's S3 sink objects under LANDING (the layout's globs from C, as the Databricks job
  reads them), cleaned with pinetl.spark;
- the Delta tables DELTA_ROOT/<table> that delta-rs wrote.

Prints one JSON object on the last line: {"landing": {table: rows}, "delta": {table: rows},
"hadoop": version, "packages": [...]}; timestamps as the spec's text (spark_fixtures.spark_rows). The standard AWS environment
(AWS_ENDPOINT_URL, keys, region) configures s3a."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from spark_fixtures import SPARK_SHIPS, spark_packages, spark_rows  # noqa: E402

from pinetl import spark as ps  # noqa: E402
from pinetl_pipeline import databricks_jobs, s3a  # noqa: E402


def main(landing, delta_root, scratch):
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    os.environ["PYSPARK_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession
    delta = [p for p in spark_packages() if p.startswith("io.delta:")]
    builder = (SparkSession.builder.master("local[1]").appName("pinetl-s3a")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.driver.host", "127.0.0.1")
               .config("spark.driver.bindAddress", "127.0.0.1")
               .config("spark.driver.memory", "1g")
               .config("spark.driver.extraJavaOptions",
                       "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
               .config("spark.local.dir", os.path.join(scratch, "local"))
               .config("spark.sql.warehouse.dir", os.path.join(scratch, "warehouse"))
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.shuffle.partitions", "1")
               .config("spark.jars.packages", ",".join(s3a.packages() + delta))
               .config("spark.jars.excludes", ",".join(SPARK_SHIPS))
               .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
               .config("spark.sql.catalog.spark_catalog",
                       "org.apache.spark.sql.delta.catalog.DeltaCatalog"))
    for key, value in s3a.spark_conf().items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    try:
        out = {"hadoop": s3a.hadoop_version(), "packages": s3a.packages(), "landing": {},
               "delta": {}}
        for table in ("pin", "geo", "user"):
            raw = databricks_jobs.read_landing(spark, s3a.uri(landing), table)
            out["landing"][table] = spark_rows(ps.clean(raw, table, "value"))
            out["delta"][table] = spark_rows(spark.read.format("delta")
                                             .load(s3a.uri(f"{delta_root}/{table}")))
    finally:
        spark.stop()
    sys.stdout.flush()
    print("\n" + json.dumps(out, sort_keys=True))


if __name__ == "__main__":
    main(*sys.argv[1:4])
