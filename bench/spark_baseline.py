"""The PySpark baselines (local mode, every core): cleaning pins with Spark's own JSON reader and
the equivalent column expressions, and the same through pinetl inside Spark (the lines as one text
column, cleaned by pinetl.arrow.clean_json in mapInArrow). bench/run times each next to pinetl and
checks that it agrees with pinetl on the records both clean.

    spark_baseline.py spark --table pin IN OUT      # spark.read.json + expressions
    spark_baseline.py pinetl --table pin IN OUT     # spark.read.text + mapInArrow(pinetl)

OUT is one JSON-lines file (Spark writes a directory; its parts are joined into OUT, in the
timing). The times include starting the JVM and the session, as every Spark job pays it.
Spark's reader: schema of strings (a number keeps its text), mode DROPMALFORMED (malformed lines
dropped, no rejects kept). Known differences from the spec, left as a user would: Spark's reader
accepts some lines that are not strict JSON (a trailing comma, unquoted control characters).
"""
import argparse
import glob
import os
import shutil
import sys
import tempfile

from pin_fields import PIN_FIELDS, SENTINELS

BLANK = r"^[ \t\n\x0B\x0C\r]*$"


def session():
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession
    return (SparkSession.builder.master("local[*]").appName("pinetl-bench")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.memory", "2g")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .getOrCreate())


def spark_clean(spark, path):
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType, StructField, StructType

    schema = StructType([StructField(f, StringType()) for f in PIN_FIELDS])
    df = spark.read.schema(schema).option("mode", "DROPMALFORMED").json(path)

    def text(name):
        c = F.col(name)
        bad = c.rlike(BLANK) | c.isin(SENTINELS.get(name, []))
        return F.when(bad, F.lit(None)).otherwise(c)

    k = F.col("index")
    as_double = k.try_cast("double")
    key = (F.when(k.rlike(r"^[0-9]+$"), k.try_cast("long"))
           .when(F.isnotnull(as_double) & (F.floor(as_double) == as_double)
                 & (F.abs(as_double) < 2.0**63), as_double.cast("long")))
    fc = text("follower_count")
    pat = r"^[ \t\n\x0B\x0C\r]*([0-9]+)(?:\.([0-9]+))?([kKmMbB])?[ \t\n\x0B\x0C\r]*$"
    matched = fc.rlike(pat)
    whole = F.regexp_extract(fc, pat, 1).try_cast("long")
    frac = F.substring(F.regexp_extract(fc, pat, 2), 1, 18)
    suffix = F.lower(F.regexp_extract(fc, pat, 3))
    mult = (F.when(suffix == "k", 1000).when(suffix == "m", 1_000_000)
            .when(suffix == "b", 1_000_000_000).otherwise(1).cast("long"))
    scale = F.pow(F.lit(10), F.length(frac)).cast("long")
    fracv = F.when(frac == "", 0).otherwise(frac.try_cast("long"))
    followers = F.when(matched, whole * mult + F.floor(fracv * mult / scale).cast("long"))
    save = F.regexp_replace(text("save_location"), "^Local save in ", "")
    out = df.select(
        key.alias("ind"), text("unique_id").alias("unique_id"), text("title").alias("title"),
        text("description").alias("description"), followers.alias("follower_count"),
        text("poster_name").alias("poster_name"), text("tag_list").alias("tag_list"),
        text("is_image_or_video").alias("is_image_or_video"),
        text("image_src").alias("image_src"),
        F.when(save == "", F.lit(None)).otherwise(save).alias("save_location"),
        text("category").alias("category"))
    return out.where(F.col("ind").isNotNull())


def pinetl_clean(spark, path):
    import pyarrow as pa

    import pinetl
    from pyspark.sql.types import LongType, StringType, StructField, StructType

    names = [n for n, _ in pinetl.columns("pin")]
    kinds = dict(pinetl.columns("pin"))
    schema = StructType([StructField(n, LongType() if kinds[n] == "int64" else StringType())
                         for n in names])
    target = pa.schema([(n, pa.int64() if kinds[n] == "int64" else pa.string()) for n in names])

    def clean(batches):
        for batch in batches:
            rows = pinetl.arrow.clean_json(batch.column(0), "pin").rows
            yield from rows.cast(target).to_batches()

    return spark.read.text(path).mapInArrow(clean, schema)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("engine", choices=["spark", "pinetl"])
    ap.add_argument("--table", choices=["pin"], required=True)
    ap.add_argument("input")
    ap.add_argument("output")
    args = ap.parse_args()
    spark = session()
    spark.sparkContext.setLogLevel("ERROR")
    path = os.path.abspath(args.input)
    df = spark_clean(spark, path) if args.engine == "spark" else pinetl_clean(spark, path)
    tmp = tempfile.mkdtemp(prefix="spark-out-", dir=os.path.dirname(os.path.abspath(args.output)))
    try:
        (df.write.mode("overwrite").option("ignoreNullFields", "false")
         .json(os.path.join(tmp, "out")))
        with open(args.output, "wb") as out:
            for part in sorted(glob.glob(os.path.join(tmp, "out", "part-*"))):
                with open(part, "rb") as f:
                    shutil.copyfileobj(f, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        spark.stop()
    print(f"spark ({args.engine}) clean {args.table}: done", file=sys.stderr)


if __name__ == "__main__":
    main()
