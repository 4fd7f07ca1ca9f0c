"""The Kafka S3-sink consumer with an S3 bucket as its landing (`--landing s3://bucket/prefix`),
against a real Kafka 4 broker and the S3-compatible test server (s3s-fs): every offset lands once
across a kill -9 and a restart that resumes from what the bucket holds, object names keep their
`+` through listing, and a missing bucket or wrong credentials give clear errors.

What the sink wrote is checked twice: through the S3 API, and in the server's own folder (s3s-fs
keeps each object as a file at <root>/<bucket>/<key>), which no client encoding can change."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from kafka_fixtures import kafka_broker  # noqa: F401 (the fixture)
from test_kafka_sink import _NoCommit, consume_all, create_topics, produce, sample_rows

from pinetl import s3sink
from pinetl_pipeline import s3


def _kafka():
    import pinetl_pipeline.kafka
    return pinetl_pipeline.kafka


def server_files(s3_bucket, prefix):
    """{key: bytes} of the objects under prefix, from the server's folder (not through S3)."""
    base = s3_bucket.server.root / s3_bucket.name
    out = {}
    for dirpath, _, names in os.walk(base / prefix):
        for name in names:
            path = os.path.join(dirpath, name)
            key = os.path.relpath(path, base)
            if not name.startswith("."):
                with open(path, "rb") as f:
                    out[key] = f.read()
    return out


def check_bucket_exactly_once(s3_bucket, prefix, topic, produced):
    """Every produced record ({(partition, offset): value}) is in the bucket once, in objects of
    consecutive offsets named by their start offset (C's object names)."""
    files = server_files(s3_bucket, f"{prefix}/topics/{topic}")
    got, ends = {}, {}
    for key in sorted(files, key=lambda k: s3sink.parse_object_name(os.path.basename(k))):
        t, p, start = s3sink.parse_object_name(os.path.basename(key))
        assert t == topic
        assert key == f"{prefix}/{s3sink.partition_dir(t, p)}/{s3sink.object_name(t, p, start)}"
        assert start == ends.get(p, 0), f"{key}: starts at {start}, expected {ends.get(p, 0)}"
        lines = files[key].split(b"\n")
        assert lines[-1] == b""
        for i, line in enumerate(lines[:-1]):
            assert (p, start + i) not in got
            got[(p, start + i)] = line
        ends[p] = start + len(lines) - 1
    assert got.keys() == produced.keys(), (
        f"missing {sorted(produced.keys() - got.keys())[:5]}, "
        f"extra {sorted(got.keys() - produced.keys())[:5]}")
    assert all(got[k] == produced[k] for k in produced)
    return files


def sink_command(bootstrap, landing, topics, group, *extra):
    return [sys.executable, "-m", "pinetl_pipeline.kafka", "sink", "--bootstrap", bootstrap,
            "--landing", landing, "--topics", ",".join(topics), "--group", group,
            "--instance-id", f"{group}-i", *extra]


def test_sink_to_a_bucket_lands_every_offset_once_across_a_kill_and_a_restart(
        kafka_broker, s3_bucket):
    prefix = kafka_broker.topic_prefix("s3kill")
    topic = f"{prefix}.pin"
    create_topics(kafka_broker.bootstrap, [topic], 2)
    produce(kafka_broker.bootstrap, prefix, {"pin": sample_rows("pin", 3000)})
    landing = s3_bucket.uri("landing")
    group = f"{prefix}-sink"
    # First run: killed with SIGKILL once objects are in the bucket, mid-run.
    proc = subprocess.Popen(sink_command(kafka_broker.bootstrap, landing, [topic], group,
                                         "--flush-size", "50", "--no-validate"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while len(server_files(s3_bucket, "landing")) < 6 and time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read().decode()
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    before = server_files(s3_bucket, "landing")
    assert 6 <= len(before) < 60, f"{len(before)} objects before the kill: not mid-run"
    resume = {}
    for key, data in before.items():
        _, p, start = s3sink.parse_object_name(os.path.basename(key))
        resume[p] = max(resume.get(p, 0), start + data.count(b"\n"))
    # The restart resumes from the bucket: it says where from, and lands the rest once.
    proc = subprocess.run(sink_command(kafka_broker.bootstrap, landing, [topic], group,
                                       "--flush-size", "50", "--until-idle", "2"),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    for p, offset in resume.items():
        assert f"assigned {topic}[{p}] from offset {offset}" in proc.stderr, proc.stderr
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    assert (summary["records"], summary["skipped"]) == (3000 - sum(resume.values()), 0)
    assert summary["validated"]["pin"] == {"read": summary["records"],
                                           "cleaned": summary["records"], "rejected": 0}
    files = check_bucket_exactly_once(s3_bucket, "landing", topic,
                                      consume_all(kafka_broker.bootstrap, topic, 3000))
    assert len(files) > len(before)
    # The sink's own view of the bucket: exact names, every partition's end.
    kafka = _kafka()
    assert sorted(o.key for o in s3.list_objects(s3_bucket.uri("landing/"))) == sorted(files)
    assert sum(kafka.next_offset_from_files(landing, topic, p) for p in (0, 1)) == 3000


def test_sink_object_names_keep_their_plus_through_listing(kafka_broker, s3_bucket):
    """The sink's names (C's: `<topic>+<p>+<start>.json`) are stored as they are, and the sink's
    listing (pinetl_pipeline.s3, which sends no encoding-type) reads them back unchanged. A plain
    boto3 listing asks for encoding-type=url and URL-decodes the answer; s3s-fs 0.14.1 does not
    encode the keys it returns, so there `+` comes back as a space (what this test saw)."""
    prefix = kafka_broker.topic_prefix("plus")
    topic = f"{prefix}.geo"
    produce(kafka_broker.bootstrap, prefix, {"geo": sample_rows("geo", 30)})
    landing = s3_bucket.uri("sink")
    proc = subprocess.run(sink_command(kafka_broker.bootstrap, landing, [topic], f"{prefix}-sink",
                                       "--flush-size", "10", "--until-idle", "1.5"),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    expect = sorted(f"sink/{s3sink.partition_dir(topic, 0)}/{s3sink.object_name(topic, 0, s)}"
                    for s in (0, 10, 20))
    assert all("+" in k for k in expect)
    assert sorted(server_files(s3_bucket, "sink")) == expect          # stored as named
    assert [o.key for o in s3.list_objects(landing + "/")] == expect  # listed as stored
    assert [s for s, _ in _kafka().landed_files(landing, topic, 0)] == [0, 10, 20]
    plain = sorted(s3_bucket.keys("sink/"))                           # boto3's default listing
    assert plain == [k.replace("+", " ") for k in expect], plain


def test_sink_to_a_bucket_resumes_from_the_objects_not_the_committed_offset(
        kafka_broker, s3_bucket):
    import confluent_kafka
    kafka = _kafka()
    prefix = kafka_broker.topic_prefix("s3window")
    topic = f"{prefix}.user"
    group = f"{prefix}-sink"
    landing = s3_bucket.uri("l")
    produce(kafka_broker.bootstrap, prefix, {"user": sample_rows("user", 300)})
    sink = kafka.S3Sink(kafka_broker.bootstrap, [topic], landing, group=group,
                        instance_id=f"{prefix}-a", flush_size=64)
    sink._consumer = _NoCommit(sink._consumer)
    assert sink.run(until_idle=1.5).records == 300
    assert sink._consumer.dropped == 5
    c = confluent_kafka.Consumer({"bootstrap.servers": kafka_broker.bootstrap, "group.id": group})
    [tp] = c.committed([confluent_kafka.TopicPartition(topic, 0)], timeout=30)
    c.close()
    assert tp.offset < 0                       # nothing committed ...
    produce(kafka_broker.bootstrap, prefix, {"user": sample_rows("user", 20, first_ind=300)})
    sink = kafka.S3Sink(kafka_broker.bootstrap, [topic], landing, group=group,
                        instance_id=f"{prefix}-a", flush_size=64)
    stats = sink.run(until_idle=1.5)           # ... yet the restart starts after the objects
    assert (stats.records, stats.skipped) == (20, 0)
    check_bucket_exactly_once(s3_bucket, "l", topic,
                              consume_all(kafka_broker.bootstrap, topic, 320))


def test_sink_landing_refuses_to_replace_an_object(s3_bucket):
    from pinetl_pipeline.kafka_landing import open_landing
    landing = open_landing(s3_bucket.uri("x"))
    uri = landing.write("t.pin", 0, 0, b'{"index":1}\n')
    assert uri == s3_bucket.uri("x", s3sink.partition_dir("t.pin", 0),
                                s3sink.object_name("t.pin", 0, 0))
    with pytest.raises(FileExistsError, match="another sink writes this partition"):
        landing.write("t.pin", 0, 0, b'{"index":2}\n')
    assert s3.get(uri) == b'{"index":1}\n'
    assert landing.next_offset("t.pin", 0) == 1


def test_sink_to_a_missing_bucket_or_with_a_wrong_secret_fails_clearly(
        kafka_broker, s3_bucket, monkeypatch):
    prefix = kafka_broker.topic_prefix("s3err")
    topic = f"{prefix}.pin"
    produce(kafka_broker.bootstrap, prefix, {"pin": sample_rows("pin", 5)})
    missing = f"s3://no-such-{s3_bucket.name}/landing"
    proc = subprocess.run(sink_command(kafka_broker.bootstrap, missing, [topic], f"{prefix}-a",
                                       "--until-idle", "1"),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode != 0
    assert f"bucket 'no-such-{s3_bucket.name}' does not exist" in proc.stderr, proc.stderr
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wrong" + s3_bucket.server.secret_key[5:])
    proc = subprocess.run(sink_command(kafka_broker.bootstrap, s3_bucket.uri("l"), [topic],
                                       f"{prefix}-b", "--until-idle", "1"),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode != 0
    assert "refused the credentials (SignatureDoesNotMatch)" in proc.stderr, proc.stderr
    assert s3_bucket.server.secret_key[5:] not in proc.stderr     # no secret printed
    assert server_files(s3_bucket, "l") == {}


def test_sink_stops_when_the_bucket_goes_away_and_a_restart_lands_every_offset_once(
        kafka_broker, s3_bucket):
    """The server stops mid-run: the sink's PUT fails (after the client's retries), the sink
    exits 1 saying it cannot reach the server, committing nothing it did not land; the server
    comes back and a restart lands the rest, every offset once."""
    prefix = kafka_broker.topic_prefix("s3gone")
    topic = f"{prefix}.geo"
    produce(kafka_broker.bootstrap, prefix, {"geo": sample_rows("geo", 2000)})
    landing = s3_bucket.uri("landing")
    group = f"{prefix}-sink"
    proc = subprocess.Popen(sink_command(kafka_broker.bootstrap, landing, [topic], group,
                                         "--flush-size", "20", "--no-validate"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while len(server_files(s3_bucket, "landing")) < 5 and time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read()
            time.sleep(0.02)
        s3_bucket.server.stop()
        out, err = proc.communicate(timeout=180)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        s3_bucket.server.start()
    assert proc.returncode == 1, err
    assert f"cannot reach the S3 server at {s3_bucket.server.endpoint}" in err, err
    landed_before = server_files(s3_bucket, "landing")
    assert 5 <= len(landed_before) < 100
    proc = subprocess.run(sink_command(kafka_broker.bootstrap, landing, [topic], group,
                                       "--flush-size", "20", "--until-idle", "2"),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    check_bucket_exactly_once(s3_bucket, "landing", topic,
                              consume_all(kafka_broker.bootstrap, topic, 2000))
