"""Spark on an S3 bucket (`s3a://`): the hadoop-aws artifact that matches the Hadoop inside the
installed pyspark, and the `fs.s3a.*` settings from the standard AWS configuration.

    from pinetl_pipeline import s3a
    builder = SparkSession.builder.config("spark.jars.packages", ",".join(s3a.packages()))
    for key, value in s3a.spark_conf().items():
        builder = builder.config(key, value)
    spark.read.text(s3a.uri("s3://bucket/landing/topics/*/partition=*/*.json"))

hadoop-aws must be the exact Hadoop version of the hadoop-client jars pyspark ships (its
`jars/hadoop-client-api-<version>.jar`); Ivy brings its own dependency, the AWS SDK bundle it
was built with (`software.amazon.awssdk:bundle`), from Maven Central. Credentials are not put into
the Spark configuration (where the UI and logs would show them): s3a reads them from the
environment (EnvironmentVariableCredentialsProvider: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
AWS_SESSION_TOKEN), which the driver and local executors inherit."""
from __future__ import annotations

import glob
import os

from . import s3

ENV_CREDENTIALS = "software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider"


def hadoop_version():
    """The Hadoop version of the installed pyspark (from its jars/hadoop-client-api-*.jar)."""
    import pyspark
    jars = glob.glob(os.path.join(os.path.dirname(pyspark.__file__), "jars",
                                  "hadoop-client-api-*.jar"))
    if len(jars) != 1:
        raise RuntimeError(f"pyspark {pyspark.__version__}: expected one hadoop-client-api jar "
                           f"in its jars folder, found {len(jars)}")
    return os.path.basename(jars[0])[len("hadoop-client-api-"):-len(".jar")]


def packages():
    """Maven coordinates for spark.jars.packages: hadoop-aws of pyspark's Hadoop version."""
    return [f"org.apache.hadoop:hadoop-aws:{hadoop_version()}"]


def spark_conf():
    """`spark.hadoop.fs.s3a.*` settings from the standard AWS configuration: the endpoint
    (AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL) with path-style access, TLS off for an http://
    endpoint, the region (AWS_REGION / AWS_DEFAULT_REGION), and credentials from the
    environment when AWS_ACCESS_KEY_ID is set (else s3a's default chain: profiles, instance
    roles)."""
    conf = {}
    endpoint = s3.endpoint()
    if endpoint:
        conf["fs.s3a.endpoint"] = endpoint
        conf["fs.s3a.path.style.access"] = "true"
        conf["fs.s3a.connection.ssl.enabled"] = str(endpoint.startswith("https://")).lower()
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if region:
        conf["fs.s3a.endpoint.region"] = region
    if os.environ.get("AWS_ACCESS_KEY_ID"):
        conf["fs.s3a.aws.credentials.provider"] = ENV_CREDENTIALS
    return {f"spark.hadoop.{k}": v for k, v in conf.items()}


def uri(location):
    """An s3:// location as Spark's s3a:// one (other locations unchanged)."""
    return "s3a://" + location[len("s3://"):] if s3.is_uri(location) else location
