"""Run by test_spark_cluster.py as the driver of a Spark standalone cluster (a process of its own:
one SparkContext per process, and the run's shared session is local[2]). Cleans a file's lines
with pinetl.spark.clean on the cluster's executors, whose Python is PYSPARK_PYTHON of this
process; prints one JSON object: the rows, or the ExecutorSetupError's message.

    python spark_cluster_job.py MASTER_URL PATH TABLE [BUILDER_PYSPARK_PYTHON]
"""
import json
import os
import sys

from pyspark.sql import SparkSession

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from spark_fixtures import spark_rows  # noqa: E402  (tests/python)


def main(master, path, table, builder_python=None):
    builder = (SparkSession.builder.master(master).appName("pinetl-cluster-test")
               .config("spark.ui.enabled", "false")
               .config("spark.driver.host", "127.0.0.1")
               .config("spark.driver.bindAddress", "127.0.0.1")
               .config("spark.executor.memory", "512m")
               .config("spark.cores.max", "1")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
               .config("spark.executor.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"))
    if builder_python:
        builder = builder.config("spark.pyspark.python", builder_python)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    from pinetl import spark as ps
    try:
        cleaned = ps.clean(spark.read.text(path), table, column="value")
    except ps.ExecutorSetupError as e:
        return {"error": str(e)}
    rows = spark_rows(cleaned)
    spark.stop()
    return {"rows": rows}


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:])))
