# Databricks notebook source
# MAGIC %md
# MAGIC # Pinterest pipeline on Databricks, with pinetl
# MAGIC
# MAGIC The batch and streaming jobs of the pipeline, cleaning with `pinetl.spark` (the same C
# MAGIC rules as the embedded default) and writing Delta tables. The code lives in
# MAGIC `pinetl_pipeline.databricks_jobs`, so the test suite runs these very functions on a local Spark
# MAGIC session.
# MAGIC
# MAGIC * **batch** (submitted daily by `dags/pinterest_databricks.py`): the Kafka Connect S3 sink
# MAGIC   copy of the three topics -> cleaned -> Delta tables `pin`, `geo`, `user` (upsert by `ind`)
# MAGIC   and `rejects` (each rejected record with its reason). Re-running it changes nothing.
# MAGIC * **stream** (a continuous job): the three Kinesis streams -> cleaned per micro-batch ->
# MAGIC   Delta tables `pin`, `geo`, `user`, one streaming query and **one checkpoint per stream**.
# MAGIC   Each micro-batch is an idempotent Delta write (`txnAppId`, `txnVersion`), so a restart
# MAGIC   after a failure never appends a micro-batch twice.
# MAGIC
# MAGIC The cluster needs the `pinetl` wheel as a cluster library. No credentials are in this
# MAGIC notebook: S3 access comes from the cluster's instance profile or Unity Catalog external
# MAGIC locations, Kinesis from the cluster's role.

# COMMAND ----------

dbutils.widgets.dropdown("mode", "batch", ["batch", "stream"], "Job")
dbutils.widgets.text("landing", "", "S3 sink copy (batch), e.g. s3://bucket/ or /mnt/landing")
dbutils.widgets.text("delta_root", "", "Delta tables root, e.g. s3://bucket/delta")
dbutils.widgets.text("checkpoint_root", "", "Checkpoints root (stream), one folder per stream")
dbutils.widgets.text("stream_prefix", "streaming-", "Kinesis stream name prefix (stream)")
dbutils.widgets.text("region", "us-east-1", "Kinesis region (stream)")

mode = dbutils.widgets.get("mode")
landing = dbutils.widgets.get("landing")
delta_root = dbutils.widgets.get("delta_root")
checkpoint_root = dbutils.widgets.get("checkpoint_root")
stream_prefix = dbutils.widgets.get("stream_prefix")
region = dbutils.widgets.get("region")
if not delta_root:
    raise ValueError("the delta_root parameter is required")

# COMMAND ----------

from pinetl_pipeline import databricks_jobs as jobs

# COMMAND ----------

# MAGIC %md
# MAGIC ## Batch: the day's Kafka side, cleaned into Delta

# COMMAND ----------

if mode == "batch":
    if not landing:
        raise ValueError("the landing parameter is required in batch mode")
    counts = jobs.batch_job(spark, landing, delta_root)
    for table, c in counts.items():
        print(f"{table}: read {c['read']}, cleaned {c['cleaned']}, rejected {c['rejected']}"
              + ("" if c["merged"] else " (this input is merged already: skipped)"))
        assert c["read"] == c["cleaned"] + c["rejected"]
    dbutils.notebook.exit(str(counts))

# COMMAND ----------

# MAGIC %md
# MAGIC ## Stream: Kinesis -> Delta, one query and one checkpoint per stream

# COMMAND ----------

if mode == "stream":
    if not checkpoint_root:
        raise ValueError("the checkpoint_root parameter is required in stream mode")
    sources = {table: jobs.kinesis_source(spark, f"{stream_prefix}{table}", region)
               for table in jobs.TABLES}
    queries = jobs.stream_job(spark, sources, delta_root, checkpoint_root)
    for q in queries.values():
        q.awaitTermination()
