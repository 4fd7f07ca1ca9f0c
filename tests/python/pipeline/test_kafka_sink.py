"""pinetl_pipeline.kafka against a real Kafka 4 broker (started by the kafka_broker fixture): the direct
producer, and the S3-sink-layout consumer, including kill -9 at random moments while records flow.
"""
import datetime
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time

import pytest

from conftest import SAMPLE
from kafka_fixtures import BROKER_SH, kafka_broker  # noqa: F401 (the fixture)


def _ck():
    import confluent_kafka
    import confluent_kafka.admin  # noqa: F401 (a submodule)
    return confluent_kafka


def _kafka():
    import pinetl_pipeline.kafka
    return pinetl_pipeline.kafka


def sample_rows(table, n, first_ind=0):
    """n rows of the real sample, cycled, with unique index values from first_ind."""
    with open(SAMPLE / f"{table}.jsonl", "rb") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    key = "index" if table == "pin" else "ind"
    out = []
    for i in range(n):
        row = dict(rows[i % len(rows)])
        row[key] = first_ind + i
        out.append(row)
    return out


def create_topics(bootstrap, topics, partitions):
    admin = _ck().admin.AdminClient({"bootstrap.servers": bootstrap})
    futures = admin.create_topics([_ck().admin.NewTopic(t, num_partitions=partitions,
                                                        replication_factor=1) for t in topics])
    for f in futures.values():
        f.result(60)


def consume_all(bootstrap, topic, expected, timeout=60):
    """{(partition, offset): value bytes} of a topic, read from the start with a plain consumer."""
    c = _ck().Consumer({"bootstrap.servers": bootstrap, "group.id": f"check-{topic}",
                        "auto.offset.reset": "earliest", "enable.auto.commit": False})
    c.subscribe([topic])
    out = {}
    deadline = time.monotonic() + timeout
    try:
        while len(out) < expected and time.monotonic() < deadline:
            for m in c.consume(500, 0.5):
                if m.error() is None:
                    out[(m.partition(), m.offset())] = m.value()
    finally:
        c.close()
    return out


def landed(landing, topic):
    """{partition: [(start, [lines])]} of a topic's landed files, by start offset, checking names."""
    kafka = _kafka()
    base = os.path.join(landing, "topics", topic)
    out = {}
    for d in sorted(os.listdir(base)):
        assert d.startswith("partition="), d
        p = int(d.split("=", 1)[1])
        files = kafka.landed_files(landing, topic, p)
        assert sorted(os.listdir(os.path.join(base, d))) == sorted(os.path.basename(f) for _, f in files), \
            "only finished objects, no temporary file, in a partition folder"
        parts = []
        for start, path in files:
            assert os.path.basename(path) == f"{topic}+{p}+{start:010d}.json"
            with open(path, "rb") as f:
                data = f.read()
            assert data.endswith(b"\n")
            parts.append((start, data[:-1].split(b"\n")))
        out[p] = parts
    return out


def check_exactly_once(landing, topic, produced):
    """Every produced record ({(partition, offset): value}) is landed exactly once, in offset
    order, in files of consecutive offsets that start where the previous one ended."""
    files = landed(landing, topic)
    got = {}
    for p, parts in files.items():
        expect_start = 0
        for start, lines in parts:
            assert start == expect_start, f"{topic}[{p}]: file at {start}, expected {expect_start}"
            for i, line in enumerate(lines):
                got[(p, start + i)] = line
            expect_start = start + len(lines)
    assert len(got) == sum(len(lines) for parts in files.values() for _, lines in parts)
    assert got.keys() == produced.keys(), (
        f"{topic}: missing {sorted(produced.keys() - got.keys())[:5]}, "
        f"extra {sorted(got.keys() - produced.keys())[:5]}")
    bad = [k for k in produced if got[k] != produced[k]]
    assert not bad, f"{topic}: different values at {bad[:5]}"


def produce(bootstrap, prefix, rows_by_table, **kw):
    kafka = _kafka()
    stats = kafka.produce_rows(bootstrap, prefix, rows_by_table, **kw)
    assert stats.failed == 0, stats.errors
    return stats


def test_producer_values_as_the_rest_proxy_and_delivery_counts(kafka_broker):
    kafka = _kafka()
    prefix = kafka_broker.topic_prefix("prod")
    rows = sample_rows("geo", 300)
    rows[0]["timestamp"] = datetime.datetime(2020, 8, 28, 3, 52, 47)   # as read from MySQL
    rows[1]["country"] = "Côte d'Ivoire"
    with kafka.Producer(kafka_broker.bootstrap, prefix) as producer:
        assert producer.send("geo", rows) == 300
        producer.send("geo", ['{"ind":-1,"country":"raw text"}'])
    st = producer.stats
    assert (st.sent, st.acknowledged, st.failed) == (301, 301, 0)
    assert len(st.latencies_ms) == 301 and st.latency_ms(50) <= st.latency_ms(99)
    assert st.offsets == {(f"{prefix}.geo", 0): [0, 300]}

    values = consume_all(kafka_broker.bootstrap, f"{prefix}.geo", 301)
    assert len(values) == 301
    first = values[(0, 0)]
    # The REST proxy's json.v2 format: compact JSON, UTF-8, datetimes as the emulator's str().
    assert first == json.dumps(dict(rows[0], timestamp="2020-08-28 03:52:47"),
                               separators=(",", ":")).encode()
    assert values[(0, 1)].decode("utf-8") == json.dumps(rows[1], separators=(",", ":"),
                                                         ensure_ascii=False)
    assert "Côte" in values[(0, 1)].decode("utf-8")
    assert values[(0, 300)] == b'{"ind":-1,"country":"raw text"}'
    assert [json.loads(values[(0, i)])["ind"] for i in range(300)] == list(range(300))


def test_producer_sends_posts_to_their_tables_topics(kafka_broker):
    kafka = _kafka()
    prefix = kafka_broker.topic_prefix("post")
    pins, geos, users = sample_rows("pin", 5), sample_rows("geo", 5), sample_rows("user", 5)
    with kafka.Producer(kafka_broker.bootstrap, prefix) as producer:
        for post in zip(pins, geos, users):
            producer.send_post(dict(zip(("pin", "geo", "user"), post)))
    assert (producer.stats.sent, producer.stats.acknowledged) == (15, 15)
    for table, rows in (("pin", pins), ("geo", geos), ("user", users)):
        values = consume_all(kafka_broker.bootstrap, f"{prefix}.{table}", 5)
        assert [json.loads(values[(0, i)]) for i in range(5)] == rows


def test_a_second_broker_runs_beside_and_is_stopped_and_deleted(kafka_broker):
    """The fixture's broker and another one at once (ports picked at start differ); after the
    context the other one's process is gone and so is its folder."""
    from kafka_fixtures import running_broker
    with running_broker() as other:
        assert other.bootstrap != kafka_broker.bootstrap
        assert other.bootstrap.startswith("127.0.0.1:")
        pid = int((other.dir / "pid").read_text())
        props = (other.dir / "server.properties").read_text()
        assert "process.roles=broker,controller" in props
        produce(other.bootstrap, "second", {"pin": sample_rows("pin", 3)})
        assert len(consume_all(other.bootstrap, "second.pin", 3)) == 3
    assert not other.dir.exists()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_producer_counts_failed_deliveries(kafka_broker):
    kafka = _kafka()
    # A record above the topic's max.message.bytes is refused by the broker: counted as failed.
    prefix = kafka_broker.topic_prefix("fail")
    admin = _ck().admin.AdminClient({"bootstrap.servers": kafka_broker.bootstrap})
    admin.create_topics([_ck().admin.NewTopic(f"{prefix}.pin", 1, 1,
                                              config={"max.message.bytes": "2000"})])[f"{prefix}.pin"].result(60)
    with kafka.Producer(kafka_broker.bootstrap, prefix,
                        config={"message.max.bytes": 100000}) as producer:
        for row in ({"index": 1, "title": "ok"}, {"index": 2, "title": "x" * 5000},
                    {"index": 3, "title": "ok"}):      # one batch each: the broker refuses a batch
            producer.send("pin", [row])
            producer.flush()
    st = producer.stats
    assert (st.sent, st.acknowledged, st.failed) == (3, 2, 1)
    assert len(st.errors) == 1 and st.errors[0].startswith(f"{prefix}.pin: "), st.errors
    assert "too large" in st.errors[0].lower(), st.errors


def run_sink(bootstrap, landing, topics, *extra, group, until_idle=2.0):
    proc = subprocess.run([sys.executable, "-m", "pinetl_pipeline.kafka", "sink", "--bootstrap", bootstrap,
                           "--landing", str(landing), "--topics", ",".join(topics),
                           "--group", group, "--until-idle", str(until_idle), *extra],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1]), proc.stderr


def test_sink_layout_rolls_by_count_and_resumes_from_files(kafka_broker, tmp_path, cli):
    prefix = kafka_broker.topic_prefix("layout")
    topics = [f"{prefix}.pin", f"{prefix}.user"]
    create_topics(kafka_broker.bootstrap, [topics[0]], 2)
    # Records without a key stick to one partition for a linger window (librdkafka's sticky
    # partitioning): on a fast machine all 1000 went to partition 0. Without it, each record
    # takes a random partition, so both partitions get some.
    produce(kafka_broker.bootstrap, prefix, {"pin": sample_rows("pin", 1000),
                                             "user": sample_rows("user", 250)},
            config={"sticky.partitioning.linger.ms": 0})
    group = f"{prefix}-sink"
    summary, log = run_sink(kafka_broker.bootstrap, tmp_path, topics, "--flush-size", "100",
                            group=group)
    assert summary["records"] == 1250 and summary["skipped"] == 0
    assert summary["validated"] == {"pin": {"read": 1000, "cleaned": 1000, "rejected": 0},
                                    "user": {"read": 250, "cleaned": 250, "rejected": 0}}
    produced = {t: consume_all(kafka_broker.bootstrap, t, n) for t, n in zip(topics, (1000, 250))}
    for t in topics:
        check_exactly_once(tmp_path, t, produced[t])
    user_files = landed(tmp_path, topics[1])[0]
    assert [s for s, _ in user_files] == [0, 100, 200]          # rolled every 100 records
    assert [len(lines) for _, lines in user_files] == [100, 100, 50]
    assert sorted(landed(tmp_path, topics[0])) == [0, 1]

    # A restart lands nothing again; new records continue after the last file.
    summary, log = run_sink(kafka_broker.bootstrap, tmp_path, topics, "--flush-size", "100",
                            group=group, until_idle=1.0)
    assert summary["records"] == 0
    assert f"assigned {topics[1]}[0] from offset 250" in log
    produce(kafka_broker.bootstrap, prefix, {"user": sample_rows("user", 30, first_ind=250)})
    summary, _ = run_sink(kafka_broker.bootstrap, tmp_path, topics, "--flush-size", "100",
                          group=group)
    assert summary["records"] == 30
    assert [s for s, _ in landed(tmp_path, topics[1])[0]] == [0, 100, 200, 250]
    check_exactly_once(tmp_path, topics[1], consume_all(kafka_broker.bootstrap, topics[1], 280))

    # The batch side reads the landing folder as it is.
    out = cli("clean", "--table", "user", "--summary-json", tmp_path / "user.json", tmp_path)
    stats = json.loads((tmp_path / "user.json").read_text())
    assert (stats["read"], stats["cleaned"], stats["rejected"]) == (280, 280, 0)
    assert len(out.stdout.splitlines()) == 280


def test_produce_command_then_sink_lands_the_file_byte_for_byte(kafka_broker, tmp_path):
    """python -m pinetl_pipeline.kafka produce (JSON lines as they are) then the sink: the partition's
    files, concatenated, are the real sample file itself."""
    prefix = kafka_broker.topic_prefix("bytes")
    proc = subprocess.run([sys.executable, "-m", "pinetl_pipeline.kafka", "produce", "--bootstrap",
                           kafka_broker.bootstrap, "--prefix", prefix, "--table", "geo",
                           str(SAMPLE / "geo.jsonl")], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    counts = json.loads(proc.stdout.strip().splitlines()[-1])
    assert (counts["sent"], counts["acknowledged"], counts["failed"]) == (2262, 2262, 0)
    summary, _ = run_sink(kafka_broker.bootstrap, tmp_path, [f"{prefix}.geo"],
                          "--flush-size", "500", group=f"{prefix}-sink")
    assert (summary["records"], summary["files"]) == (2262, 5)
    files = landed(tmp_path, f"{prefix}.geo")[0]
    landed_bytes = b"".join(b"\n".join(lines) + b"\n" for _, lines in files)
    assert landed_bytes == (SAMPLE / "geo.jsonl").read_bytes()


def test_sink_rolls_by_time(kafka_broker, tmp_path):
    kafka = _kafka()
    prefix = kafka_broker.topic_prefix("time")
    topic = f"{prefix}.geo"
    create_topics(kafka_broker.bootstrap, [topic], 1)
    sink = kafka.S3Sink(kafka_broker.bootstrap, [topic], tmp_path, group=f"{prefix}-sink",
                        instance_id=f"{prefix}-i", flush_size=1_000_000, rotate_interval_ms=300)
    runner = threading.Thread(target=sink.run, kwargs={"until_idle": 3.0})
    runner.start()
    deadline = time.monotonic() + 120     # the trickles must start once the sink has its partition
    while sink._assigned_at is None and runner.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sink._assigned_at is not None, "the sink got no partition"
    with kafka.Producer(kafka_broker.bootstrap, prefix) as producer:
        for i in range(6):                     # six trickles, 0.7 s apart
            producer.send("geo", sample_rows("geo", 10, first_ind=10 * i))
            producer.flush()
            time.sleep(0.7)
    runner.join(60)
    assert not runner.is_alive()
    files = landed(tmp_path, topic)[0]
    assert len(files) >= 4, [s for s, _ in files]        # one a trickle, give or take a poll
    assert sink.stats.records == 60
    check_exactly_once(tmp_path, topic, consume_all(kafka_broker.bootstrap, topic, 60))


def test_sink_lands_every_value_on_one_line(kafka_broker, tmp_path, cli):
    prefix = kafka_broker.topic_prefix("odd")
    topic = f"{prefix}.pin"
    p = _ck().Producer({"bootstrap.servers": kafka_broker.bootstrap})
    values = [b'{"index":1,"title":"fine"}', None, b"", b"   ",
              b'{\n  "index": 2,\n  "title": "pretty"\n}', b"not json\nat all", b"\xff\xfe",
              b'{"index":3}']
    for v in values:
        p.produce(topic, value=v)
    assert p.flush(30) == 0
    summary, log = run_sink(kafka_broker.bootstrap, tmp_path, [topic], group=f"{prefix}-sink")
    assert summary["records"] == 8
    lines = landed(tmp_path, topic)[0][0][1]
    assert lines == [b'{"index":1,"title":"fine"}', b"null", b"null", b"null",
                     b'{"index":2,"title":"pretty"}', b'"not json\\nat all"', b"\xff\xfe",
                     b'{"index":3}']
    assert summary["validated"]["pin"] == {"read": 8, "cleaned": 3, "rejected": 5}
    assert "will be rejected by the clean, first at line 2" in log
    out = cli("clean", "--table", "pin", "--summary-json", tmp_path / "s.json",
              "--rejects", tmp_path / "rejects.jsonl", tmp_path)
    stats = json.loads((tmp_path / "s.json").read_text())
    assert (stats["read"], stats["cleaned"], stats["rejected"]) == (8, 3, 5)
    assert len(out.stdout.splitlines()) == 3


class _NoCommit:
    """A consumer whose commits are lost: as a sink killed between rename and commit."""

    def __init__(self, consumer):
        self._c = consumer
        self.dropped = 0

    def commit(self, *a, **kw):
        self.dropped += 1

    def __getattr__(self, name):
        return getattr(self._c, name)


def test_sink_crash_between_rename_and_commit_duplicates_nothing(kafka_broker, tmp_path):
    kafka = _kafka()
    prefix = kafka_broker.topic_prefix("window")
    topic = f"{prefix}.pin"
    group = f"{prefix}-sink"
    produce(kafka_broker.bootstrap, prefix, {"pin": sample_rows("pin", 500)})
    sink = kafka.S3Sink(kafka_broker.bootstrap, [topic], tmp_path, group=group,
                        instance_id=f"{prefix}-a", flush_size=64)
    sink._consumer = _NoCommit(sink._consumer)
    assert sink.run(until_idle=1.5).records == 500
    assert sink._consumer.dropped == 8
    # Nothing was committed: the group's offset is still unset...
    c = _ck().Consumer({"bootstrap.servers": kafka_broker.bootstrap, "group.id": group})
    [tp] = c.committed([_ck().TopicPartition(topic, 0)], timeout=30)
    c.close()
    assert tp.offset < 0
    # ... yet a restart starts after the last file, from the files alone.
    produce(kafka_broker.bootstrap, prefix, {"pin": sample_rows("pin", 40, first_ind=500)})
    sink = kafka.S3Sink(kafka_broker.bootstrap, [topic], tmp_path, group=group,
                        instance_id=f"{prefix}-a", flush_size=64)
    stats = sink.run(until_idle=1.5)
    assert (stats.records, stats.skipped) == (40, 0)
    check_exactly_once(tmp_path, topic, consume_all(kafka_broker.bootstrap, topic, 540))


def test_sink_removes_temporaries_of_an_interrupted_run(kafka_broker, tmp_path):
    kafka = _kafka()
    prefix = kafka_broker.topic_prefix("tmp")
    topic = f"{prefix}.geo"
    produce(kafka_broker.bootstrap, prefix, {"geo": sample_rows("geo", 20)})
    d = tmp_path / "topics" / topic / "partition=0"
    d.mkdir(parents=True)
    (d / f".{topic}+0+0000000000.json.tmp").write_bytes(b'{"ind":0}\n{"ind"')   # torn
    summary, log = run_sink(kafka_broker.bootstrap, tmp_path, [topic], group=f"{prefix}-sink")
    assert summary["records"] == 20
    assert f"removed .{topic}+0+0000000000.json.tmp" in log
    check_exactly_once(tmp_path, topic, consume_all(kafka_broker.bootstrap, topic, 20))
    assert kafka.next_offset_from_files(tmp_path, topic, 0) == 20


def test_sink_stops_cleanly_on_sigterm_landing_what_it_holds(kafka_broker, tmp_path):
    prefix = kafka_broker.topic_prefix("term")
    topic = f"{prefix}.user"
    produce(kafka_broker.bootstrap, prefix, {"user": sample_rows("user", 150)})
    # Files of 100 records, never rolled by time: 50 records wait in the buffer for the stop.
    proc = subprocess.Popen([sys.executable, "-m", "pinetl_pipeline.kafka", "sink", "--bootstrap",
                             kafka_broker.bootstrap, "--landing", str(tmp_path), "--topics", topic,
                             "--group", f"{prefix}-sink", "--flush-size", "100",
                             "--rotate-interval-ms", "3600000"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not _landed_names(tmp_path, [topic]) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _landed_names(tmp_path, [topic]) == {f"{topic}+0+0000000000.json"}
        time.sleep(0.5)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert json.loads(out.strip().splitlines()[-1])["records"] == 150
    files = landed(tmp_path, topic)[0]
    assert [(s, len(lines)) for s, lines in files] == [(0, 100), (100, 50)]
    check_exactly_once(tmp_path, topic, consume_all(kafka_broker.bootstrap, topic, 150))
    c = _ck().Consumer({"bootstrap.servers": kafka_broker.bootstrap, "group.id": f"{prefix}-sink"})
    [tp] = c.committed([_ck().TopicPartition(topic, 0)], timeout=30)
    c.close()
    assert tp.offset == 150


def _landed_names(landing, topics):
    names = set()
    for t in topics:
        base = os.path.join(landing, "topics", t)
        try:
            dirs = os.listdir(base)
        except FileNotFoundError:
            continue
        for d in dirs:
            try:
                names.update(n for n in os.listdir(os.path.join(base, d)) if n.endswith(".json"))
            except FileNotFoundError:
                pass
    return names


def _committed_behind_files(bootstrap, group, landing, topic_partitions):
    """The partitions whose committed offset is behind the files: the sink died between a
    file's rename and its commit."""
    kafka = _kafka()
    c = _ck().Consumer({"bootstrap.servers": bootstrap, "group.id": group})
    try:
        tps = c.committed([_ck().TopicPartition(t, p) for t, p in topic_partitions], timeout=30)
    finally:
        c.close()
    behind = []
    for tp in tps:
        nxt = kafka.next_offset_from_files(landing, tp.topic, tp.partition)
        if nxt is not None and tp.offset < nxt:
            behind.append((tp.topic, tp.partition))
    return behind


def test_sink_kill_9_while_records_flow_lands_each_record_once(kafka_broker, tmp_path, cli):
    """The sink is killed with SIGKILL again and again while a producer keeps producing to a
    3-partition topic and a 1-partition topic, each time restarted: half the kills at a random
    moment (0.2-2.5 s of life: joining the group, consuming, writing, renaming, committing), half
    right after a new file appears (aiming at the moment between a file's rename and its
    commit). In the end every produced record is in the landing folder exactly once, in offset
    order, and `pinetl clean` reads them all."""
    kafka = _kafka()
    rng = random.Random(int(os.environ.get("PINETL_TEST_SEED", "12")))
    prefix = kafka_broker.topic_prefix("kill")
    topics = [f"{prefix}.pin", f"{prefix}.geo"]
    create_topics(kafka_broker.bootstrap, [topics[0]], 3)
    create_topics(kafka_broker.bootstrap, [topics[1]], 1)
    topic_partitions = [(topics[0], p) for p in range(3)] + [(topics[1], 0)]
    group = f"{prefix}-sink"
    n_batches, per_batch = 60, 250
    produced = {t: {} for t in topics}

    def on_delivery(err, msg):
        if err is None:
            produced[msg.topic()][(msg.partition(), msg.offset())] = msg.value()

    def producer_thread():
        with kafka.Producer(kafka_broker.bootstrap, prefix, on_delivery=on_delivery) as producer:
            for b in range(n_batches):
                producer.send("pin", sample_rows("pin", per_batch, first_ind=b * per_batch))
                producer.send("geo", sample_rows("geo", per_batch // 5, first_ind=b * per_batch))
                producer.poll(0.2)
        assert producer.stats.failed == 0, producer.stats.errors
        done.append(producer.stats)

    done = []
    sink_cmd = [sys.executable, "-m", "pinetl_pipeline.kafka", "sink", "--bootstrap",
                kafka_broker.bootstrap, "--landing", str(tmp_path), "--topics", ",".join(topics),
                "--group", group, "--flush-size", "97", "--rotate-interval-ms", "150",
                "--instance-id", f"{prefix}-sink-0", "--quiet"]
    feeder = threading.Thread(target=producer_thread)
    feeder.start()
    kills = in_window = 0
    try:
        while feeder.is_alive() or kills < 12:
            proc = subprocess.Popen(sink_cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            if kills % 2:
                time.sleep(rng.uniform(0.2, 2.5))
            else:
                before = _landed_names(tmp_path, topics)
                deadline = time.monotonic() + 5
                while time.monotonic() < deadline and proc.poll() is None and \
                        not (_landed_names(tmp_path, topics) - before):
                    time.sleep(0.0005)
            if proc.poll() is not None:
                raise AssertionError(f"the sink exited {proc.returncode}: "
                                     f"{proc.stderr.read().decode(errors='replace')}")
            proc.send_signal(signal.SIGKILL)
            proc.wait(30)
            proc.stderr.close()
            kills += 1
            in_window += bool(_committed_behind_files(kafka_broker.bootstrap, group, tmp_path,
                                                      topic_partitions))
    finally:
        feeder.join(300)
    assert done, "the producer did not finish"
    assert kills >= 12
    stats = done[0]
    assert stats.acknowledged == n_batches * (per_batch + per_batch // 5)
    print(f"{kills} kills, {in_window} leaving a committed offset behind the files")

    # A last run drains what is left; then the folder holds each record once.
    summary, _ = run_sink(kafka_broker.bootstrap, tmp_path, topics, "--flush-size", "97",
                          "--instance-id", f"{prefix}-sink-0", group=group, until_idle=3.0)
    total = sum(len(produced[t]) for t in topics)
    assert summary["records"] < total, "the killed runs landed records before the last run"
    for t in topics:
        assert len(produced[t]) > 0
        check_exactly_once(tmp_path, t, produced[t])
    for table, n in (("pin", n_batches * per_batch), ("geo", n_batches * per_batch // 5)):
        cli("clean", "--table", table, "--summary-json", tmp_path / f"{table}.json", tmp_path)
        s = json.loads((tmp_path / f"{table}.json").read_text())
        assert (s["read"], s["cleaned"], s["rejected"]) == (n, n, 0), s


def test_producer_perf_anchor_prints_rate_and_latency(kafka_broker):
    """scripts/kafka/broker.sh perf (Kafka's ProducerPerformance, acks=all) against the broker."""
    proc = subprocess.run(["bash", str(BROKER_SH), "perf", kafka_broker.bootstrap,
                           "--records", "3000", "--record-size", "200",
                           "--topic", kafka_broker.topic_prefix("perf")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    line = proc.stdout.strip().splitlines()[-1]
    fields = dict(kv.split("=") for kv in line.split(": ", 1)[1].split())
    assert line.startswith("kafka-producer-perf: ")
    assert fields["records"] == "3000" and fields["acks"] == "all"
    assert float(fields["records_per_s"]) > 0 and int(fields["p50_ms"]) <= int(fields["p99_ms"])


def test_producer_perf_anchor_sends_payload_file_with_producer_settings(kafka_broker, tmp_path):
    """broker.sh perf --payload-file --producer (issue 23's tuned anchor): the file's lines are the
    records, the producer settings reach ProducerPerformance and are named in the summary line."""
    payload = tmp_path / "pins.jsonl"
    payload.write_text("".join(f'{{"index": {i}, "title": "t{i}"}}\n' for i in range(50)))
    proc = subprocess.run(["bash", str(BROKER_SH), "perf", kafka_broker.bootstrap,
                           "--records", "2000", "--payload-file", str(payload),
                           "--producer", "batch.size=262144", "--producer", "linger.ms=5",
                           "--producer", "compression.type=lz4",
                           "--topic", kafka_broker.topic_prefix("perf-tuned")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    line = proc.stdout.strip().splitlines()[-1]
    fields = dict(kv.split("=") for kv in line.split(": ", 1)[1].split())
    assert fields["records"] == "2000" and fields["record_size"] == "file"
    assert fields["producer"] == "batch.size:262144,linger.ms:5,compression.type:lz4"
    assert "Reading payloads from" in proc.stdout
    assert float(fields["records_per_s"]) > 0


def test_confluent_kafka_perf_anchor_prints_rate_and_latency(kafka_broker):
    """python -m pinetl_pipeline.kafka perf: the same measurement with the confluent-kafka client."""
    proc = subprocess.run([sys.executable, "-m", "pinetl_pipeline.kafka", "perf", "--bootstrap",
                           kafka_broker.bootstrap, "--records", "3000", "--record-size", "200",
                           "--topic", kafka_broker.topic_prefix("ckperf")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    line = proc.stdout.strip().splitlines()[-1]
    assert line.startswith("confluent-kafka-perf: ")
    fields = dict(kv.split("=") for kv in line.split(": ", 1)[1].split())
    assert fields["records"] == "3000" and fields["acks"] == "all" and fields["failed"] == "0"
    assert float(fields["records_per_s"]) > 0
    assert 0 < float(fields["p50_ms"]) <= float(fields["p99_ms"])
