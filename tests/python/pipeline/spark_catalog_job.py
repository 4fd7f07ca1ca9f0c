"""Run by test_spark_catalog.py in a process of its own (a SparkContext's catalog implementation
is fixed for its JVM; the run's shared session has the in-memory catalog): a Spark session on
Spark's Hive metastore in a Derby database under SCRATCH, where every pinetl writer creates or
registers catalog tables; prints one JSON object of what the test checks.

    python spark_catalog_job.py SCRATCH SAMPLE_DIR
"""
import json
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # tests/python: spark_fixtures

from spark_fixtures import spark_rows, start_spark  # noqa: E402

TABLES = ("pin", "geo", "user")
BATCH_TABLES = ("geo", "user")


def landing(scratch, sample):
    # The Kafka Connect S3 sink layout the batch job reads: one object per table.
    for table in BATCH_TABLES:
        part = os.path.join(scratch, "landing", "topics", f"0a1b2c.{table}", "partition=0")
        os.makedirs(part)
        shutil.copy(os.path.join(sample, f"{table}.jsonl"),
                    os.path.join(part, f"0a1b2c.{table}+0+0000000000.json"))
    return os.path.join(scratch, "landing")


def versions(spark, name):
    return spark.sql(f"DESCRIBE HISTORY {name}").count()


def main(scratch, sample):
    spark = start_spark(scratch, hive=True)
    from pinetl import delta
    from pinetl import spark as ps
    from pinetl_pipeline import databricks_jobs as jobs
    out = {"catalog": spark.conf.get("spark.sql.catalogImplementation")}
    lake = os.path.join(scratch, "lake")
    for schema in ("rs", "bj", "st"):
        spark.sql(f"CREATE SCHEMA IF NOT EXISTS {schema}")

    # 1. delta-rs writes at a path; the table is registered by name (two-part).
    for table in TABLES:
        delta.clean_to_delta(os.path.join(sample, f"{table}.jsonl"), table,
                             os.path.join(lake, "rs", table),
                             rejects_uri=os.path.join(lake, "rs", f"rejects_{table}"),
                             partition_by="category" if table == "pin" else None,
                             app_id="daily", version=1, spark=spark, name=f"rs.{table}",
                             properties={"pinetl.writer": "delta-rs"})
    # 2. The Databricks batch job (geo and user: the insights take pin from delta-rs), by
    #    three-part names, managed tables; run twice (the second run changes nothing).
    props = {"pinetl.writer": "batch_job", "delta.appendOnly": "false"}
    kwargs = dict(tables=BATCH_TABLES, database="spark_catalog.bj",
                  partition_by={"geo": "country"}, properties=props)
    first = jobs.batch_job(spark, landing(scratch, sample), None, **kwargs)
    before = {t: versions(spark, f"bj.{t}") for t in BATCH_TABLES}
    second = jobs.batch_job(spark, os.path.join(scratch, "landing"), None, **kwargs)
    out["batch"] = {"first": first, "second": second, "versions_before": before,
                    "versions_after": {t: versions(spark, f"bj.{t}") for t in BATCH_TABLES}}
    # 3. A streaming query into a catalog table (external, under lake/st).
    src = os.path.join(scratch, "stream-in")
    os.makedirs(src)
    shutil.copy(os.path.join(sample, "pin.jsonl"), os.path.join(src, "part-0.jsonl"))
    stream = spark.readStream.format("text").load(src)
    query = ps.stream_to_delta(stream, "pin", os.path.join(lake, "st"),
                               os.path.join(scratch, "ck"), name="st.pin",
                               trigger={"availableNow": True}, partition_by="category",
                               properties={"pinetl.writer": "stream_to_delta"})
    query.awaitTermination(600)
    out["stream_rows"] = spark.table("st.pin").count()
    out["stream_rejects"] = spark.table("st.rejects_pin").count()

    # What the catalog holds, and how.
    out["tables"] = {s: sorted(t.name for t in spark.catalog.listTables(s))
                     for s in ("rs", "bj", "st")}
    out["detail"] = {}
    for name in ("rs.pin", "rs.geo", "bj.geo", "bj.rejects_user", "st.pin"):
        d = spark.sql(f"DESCRIBE DETAIL {name}").first()
        props = {r[0]: r[1] for r in spark.sql(f"SHOW TBLPROPERTIES {name}").collect()}
        kind = spark.sql(f"DESCRIBE TABLE EXTENDED {name}").where("col_name = 'Type'").first()
        out["detail"][name] = {"format": d["format"], "location": d["location"],
                               "partitions": list(d["partitionColumns"]),
                               "writer": props.get("pinetl.writer"), "type": kind["data_type"]}
    out["rows"] = {name: sorted(spark_rows(spark.table(name)), key=lambda r: r["ind"])
                   for name in ("rs.user", "bj.user")}
    # The nine insights over registered tables of three writers, names of every form.
    views = sorted(t.name for t in spark.catalog.listTables())
    frames = ps.insights(spark, "rs.pin", "spark_catalog.bj.geo", "bj.user")
    out["insights"] = {n: [r.asDict() for r in df.collect()] for n, df in frames.items()}
    out["views_unchanged"] = views == sorted(t.name for t in spark.catalog.listTables())
    spark.stop()
    return out


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:3]), default=str))
