"""The Databricks streaming job on a real Kafka broker (kafka_fixtures): Spark's Kafka source
(spark-sql-kafka-0-10 of the session's Spark version) reads the three topics, pinetl.spark cleans
each table, three Delta tables with one query and one checkpoint each, Trigger.AvailableNow; the
queries stop mid-stream (more records are produced after) and restart from their checkpoints, and
the Delta tables equal a batch clean of the same records."""
import json

try:
    from kafka_fixtures import kafka_broker  # noqa: F401  (the kafka helper's broker fixture)
except ImportError:
    # Only until the kafka helper's fixture is merged: then this test errors with "fixture
    # 'kafka_broker' not found" (it never passes or skips without a broker), and the rest of the
    # suite still collects.
    pass
from pinetl import spark as ps
from test_delta_write import delta_rows
from test_spark_streaming import delta_rejects, expected, records, reject_keys

TABLES = ("pin", "geo", "user")


def produce(spark, bootstrap, topic, recs):
    """Records into a topic with Spark's own Kafka sink (a batch write), in order, one partition."""
    df = spark.createDataFrame([(r,) for r in recs], "value BINARY").coalesce(1)
    df.write.format("kafka").option("kafka.bootstrap.servers", bootstrap) \
        .option("topic", topic).save()


def _sorted(rows):
    return sorted(rows, key=lambda r: (r["ind"], json.dumps(r, sort_keys=True)))


def test_kafka_topics_stream_into_three_delta_tables_with_a_restart(spark, cli, kafka_broker,
                                                                     tmp_path):
    prefix = kafka_broker.topic_prefix("spark")
    lake = tmp_path / "lake"
    recs = {t: records(t, 120, bad_every=15) for t in TABLES}
    for t in TABLES:
        produce(spark, kafka_broker.bootstrap, f"{prefix}.{t}", recs[t][:60])

    def run_all():
        queries = []
        for t in TABLES:
            stream = (spark.readStream.format("kafka")
                      .option("kafka.bootstrap.servers", kafka_broker.bootstrap)
                      .option("subscribe", f"{prefix}.{t}")
                      .option("startingOffsets", "earliest")
                      .option("maxOffsetsPerTrigger", 40)
                      .load())
            queries.append(ps.stream_to_delta(
                stream, t, lake, tmp_path / "checkpoints" / t, column="value",
                keep=["topic", "partition", "offset"], trigger={"availableNow": True},
                query_name=f"pinetl_{t}"))
        for q in queries:                      # three queries run at once, each on its own
            q.awaitTermination()
            assert q.exception() is None
        return queries

    run_all()                                  # 60 records each: batches of 40 and 20
    for t in TABLES:
        n = len(delta_rows(lake / t)) + len(delta_rejects(lake / f"rejects_{t}"))
        assert n == 60, t
        produce(spark, kafka_broker.bootstrap, f"{prefix}.{t}", recs[t][60:])
    run_all()                                  # restarted: only the 60 new records each
    for t in TABLES:
        rows, rejects = expected(cli, t, recs[t], tmp_path)
        assert _sorted(delta_rows(lake / t)) == _sorted(rows), t
        got = delta_rejects(lake / f"rejects_{t}")
        assert reject_keys(got) == reject_keys(rejects) and len(got) == 8, t
        assert sorted(r["input_offset"] for r in got) == list(range(0, 120, 15)), t
        assert {r["topic"] for r in got} == {f"{prefix}.{t}"}
