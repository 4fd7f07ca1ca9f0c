"""Kinesis' own JSON API of `pinetl serve` (POST / with X-Amz-Target), through the real AWS
clients from PyPI: boto3's Kinesis client and the AWS CLI (v1, run as `python -m awscli`), both
pointed at the server with endpoint_url / --endpoint-url and signing every request with SigV4
(dummy credentials made here; the server accepts signed requests on loopback without checking
them when it has no credentials). Covers listing and describing, a producer (PutRecord,
PutRecords), a consumer tailing the shard with iterators (TRIM_HORIZON, AT/AFTER_SEQUENCE_NUMBER,
LATEST), Kinesis' limits and error types, and that what the clients put is what
`pinetl stream` loads.

boto3 and awscli come with the `test` extra (requirements/constraints.txt pins them).
"""
import base64
import datetime
import json
import os
import re
import sqlite3
import subprocess
import sys
import time

import pytest

from conftest import SAMPLE
from test_emulate_serve import TABLES, Serve, warehouse

# Starts `pinetl serve`.
pytestmark = pytest.mark.service

SHARD = "shardId-000000000000"


@pytest.fixture
def aws_env(tmp_path, monkeypatch):
    """Dummy credentials made at test time; no shared config or credentials file is read."""
    env = {"AWS_ACCESS_KEY_ID": "AKIDTEST" + os.urandom(6).hex().upper(),
           "AWS_SECRET_ACCESS_KEY": base64.b64encode(os.urandom(30)).decode(),
           "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_CONFIG_FILE": str(tmp_path / "no-aws-config"),
           "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-aws-credentials"),
           "AWS_EC2_METADATA_DISABLED": "true"}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    return env


@pytest.fixture
def served(tmp_path, aws_env):
    landing = tmp_path / "landing"
    landing.mkdir()
    srv = Serve(landing, tmp_path / "serve.log")
    yield srv, landing
    if srv.proc.poll() is None:
        rc = srv.stop()  # 0: a clean stop (and, in a sanitizer build, no leak)
        assert rc == 0, (tmp_path / "serve.log").read_text(errors="replace")


def client(url, validate=True):
    import boto3
    from botocore.config import Config
    return boto3.client("kinesis", endpoint_url=url,
                        config=Config(retries={"max_attempts": 1},
                                      parameter_validation=validate))


def aws(url, *args):
    """The AWS CLI (v1, from PyPI); its JSON output parsed."""
    p = subprocess.run([sys.executable, "-m", "awscli", "--endpoint-url", url, "--output", "json",
                        "kinesis", *map(str, args)], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, f"aws kinesis {' '.join(map(str, args))}: {p.stderr}"
    return json.loads(p.stdout) if p.stdout.strip() else None


def aws_fails(url, *args):
    p = subprocess.run([sys.executable, "-m", "awscli", "--endpoint-url", url, "kinesis",
                        *map(str, args)], capture_output=True, text=True, timeout=120)
    assert p.returncode != 0, p.stdout
    return p.stderr


def error_of(call, *args, **kwargs):
    """(error type, HTTP status) of a call that must fail."""
    from botocore.exceptions import ClientError
    with pytest.raises(ClientError) as e:
        call(*args, **kwargs)
    return (e.value.response["Error"]["Code"],
            e.value.response["ResponseMetadata"]["HTTPStatusCode"])


def read_all(k, iterator, limit=None):
    """Follows NextShardIterator until a call returns no records and MillisBehindLatest is 0;
    returns (records, the last NextShardIterator, calls made)."""
    out, calls = [], 0
    while True:
        r = k.get_records(ShardIterator=iterator, **({"Limit": limit} if limit else {}))
        calls += 1
        assert calls < 10000
        out += r["Records"]
        iterator = r["NextShardIterator"]
        if not r["Records"] and r["MillisBehindLatest"] == 0:
            return out, iterator, calls


def sample(table, n):
    return (SAMPLE / f"{table}.jsonl").read_bytes().splitlines()[:n]


def test_list_describe_and_list_shards_with_boto3_and_the_cli(served):
    srv, _ = served
    k = client(srv.url)
    names = [f"streaming-pinetl-{t}" for t in TABLES]
    r = k.list_streams()
    assert r["StreamNames"] == names and r["HasMoreStreams"] is False
    assert [s["StreamStatus"] for s in r["StreamSummaries"]] == ["ACTIVE"] * 3
    assert r["ResponseMetadata"]["HTTPHeaders"]["content-type"] == "application/x-amz-json-1.1"
    # Pagination: Limit, then NextToken / ExclusiveStartStreamName.
    r = k.list_streams(Limit=2)
    assert r["StreamNames"] == names[:2] and r["HasMoreStreams"] is True
    assert k.list_streams(NextToken=r["NextToken"])["StreamNames"] == names[2:]
    assert k.list_streams(ExclusiveStartStreamName=names[0])["StreamNames"] == names[1:]
    d = k.describe_stream_summary(StreamName=names[0])["StreamDescriptionSummary"]
    assert (d["StreamName"], d["OpenShardCount"], d["StreamStatus"]) == (names[0], 1, "ACTIVE")
    # By ARN too, as the SDKs recommend.
    arn = d["StreamARN"]
    assert k.describe_stream_summary(StreamARN=arn)["StreamDescriptionSummary"]["StreamName"] \
        == names[0]
    shards = k.list_shards(StreamName=names[0])["Shards"]
    assert [s["ShardId"] for s in shards] == [SHARD]
    assert k.list_shards(StreamName=names[0], ExclusiveStartShardId=SHARD)["Shards"] == []
    assert k.describe_stream(StreamName=names[0])["StreamDescription"]["Shards"][0]["ShardId"] \
        == SHARD
    # The AWS CLI: its paginators follow NextToken through every page.
    assert aws(srv.url, "list-streams", "--page-size", "1")["StreamNames"] == names
    assert aws(srv.url, "describe-stream-summary", "--stream-name", names[1]) \
        ["StreamDescriptionSummary"]["StreamName"] == names[1]
    assert [s["ShardId"] for s in aws(srv.url, "list-shards", "--stream-name", names[2])
            ["Shards"]] == [SHARD]


def test_producer_and_consumer_with_boto3(served):
    srv, _ = served
    k = client(srv.url)
    s = "streaming-pinetl-pin"
    seqs = [k.put_record(StreamName=s, Data=b"first \x00\xff bytes", PartitionKey="p0")
            ["SequenceNumber"]]
    sent = [(b"first \x00\xff bytes", "p0")]
    for batch in range(3):
        recs = [{"Data": json.dumps({"b": batch, "i": i}).encode(),
                 "PartitionKey": f"key-{batch}-{i}"} for i in range(120)]
        r = k.put_records(StreamName=s, Records=recs)
        assert r["FailedRecordCount"] == 0
        assert [x["ShardId"] for x in r["Records"]] == [SHARD] * 120
        seqs += [x["SequenceNumber"] for x in r["Records"]]
        sent += [(x["Data"], x["PartitionKey"]) for x in recs]
    # Sequence numbers: decimal strings, growing per shard.
    assert all(re.fullmatch(r"\d{21}", q) for q in seqs)
    assert [int(q) for q in seqs] == list(range(int(seqs[0]), int(seqs[0]) + len(seqs)))

    # A consumer from TRIM_HORIZON, small pages, until caught up.
    it = k.get_shard_iterator(StreamName=s, ShardId=SHARD,
                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    got, tail, calls = read_all(k, it, limit=50)
    assert [(x["Data"], x["PartitionKey"]) for x in got] == sent
    assert [x["SequenceNumber"] for x in got] == seqs
    assert calls == len(sent) // 50 + 2
    # The iterator it ended with sees only later records.
    k.put_record(StreamName=s, Data=b"later", PartitionKey="p")
    r = k.get_records(ShardIterator=tail)
    assert [x["Data"] for x in r["Records"]] == [b"later"]
    seqs.append(r["Records"][0]["SequenceNumber"])
    sent.append((b"later", "p"))

    # AT and AFTER a sequence number.
    for kind, start in (("AT_SEQUENCE_NUMBER", 100), ("AFTER_SEQUENCE_NUMBER", 101)):
        it = k.get_shard_iterator(StreamName=s, ShardId=SHARD, ShardIteratorType=kind,
                                  StartingSequenceNumber=seqs[100])["ShardIterator"]
        got, _, _ = read_all(k, it)
        assert [x["SequenceNumber"] for x in got] == seqs[start:], kind
    # Leading zeros are not needed in a sequence number.
    it = k.get_shard_iterator(StreamName=s, ShardId=SHARD, ShardIteratorType="AT_SEQUENCE_NUMBER",
                              StartingSequenceNumber=str(int(seqs[-1])))["ShardIterator"]
    assert [x["Data"] for x in k.get_records(ShardIterator=it)["Records"]] == [b"later"]

    # AT_TIMESTAMP: from the first record that arrived at that time or later.
    time.sleep(0.2)
    k.put_records(StreamName=s, Records=[{"Data": b"timed-%d" % i, "PartitionKey": "t"}
                                         for i in range(2)])
    got, _, _ = read_all(k, k.get_shard_iterator(StreamName=s, ShardId=SHARD,
                                                 ShardIteratorType="TRIM_HORIZON")["ShardIterator"])
    when = got[-2]["ApproximateArrivalTimestamp"]
    assert got[-3]["ApproximateArrivalTimestamp"] < when
    everything = [d for d, _ in sent] + [b"timed-0", b"timed-1"]
    for ts, want in ((when, [b"timed-0", b"timed-1"]), (datetime.datetime(2000, 1, 1), everything),
                     (time.time() + 3600, [])):
        it = k.get_shard_iterator(StreamName=s, ShardId=SHARD, ShardIteratorType="AT_TIMESTAMP",
                                  Timestamp=ts)["ShardIterator"]
        assert [x["Data"] for x in read_all(k, it)[0]] == want, ts
    # LATEST sees only what is put after it was taken.
    it = k.get_shard_iterator(StreamName=s, ShardId=SHARD,
                              ShardIteratorType="LATEST")["ShardIterator"]
    r = k.get_records(ShardIterator=it)
    assert r["Records"] == [] and r["MillisBehindLatest"] == 0
    k.put_records(StreamName=s, Records=[{"Data": b"after-latest-%d" % i, "PartitionKey": "x"}
                                         for i in range(3)])
    got, _, _ = read_all(k, r["NextShardIterator"])
    assert [x["Data"] for x in got] == [b"after-latest-0", b"after-latest-1", b"after-latest-2"]
    # Other streams are untouched.
    it = k.get_shard_iterator(StreamName="streaming-pinetl-geo", ShardId=SHARD,
                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    assert k.get_records(ShardIterator=it)["Records"] == []


def test_errors_have_kinesis_types(served):
    srv, _ = served
    k = client(srv.url)
    raw = client(srv.url, validate=False)  # what botocore would refuse before sending
    s = "streaming-pinetl-user"
    nf = ("ResourceNotFoundException", 400)
    assert error_of(k.describe_stream_summary, StreamName="nope") == nf
    assert error_of(k.list_shards, StreamName="nope") == nf
    assert error_of(k.put_record, StreamName="nope", Data=b"x", PartitionKey="p") == nf
    assert error_of(k.put_records, StreamName="nope",
                    Records=[{"Data": b"x", "PartitionKey": "p"}]) == nf
    assert error_of(k.get_shard_iterator, StreamName="nope", ShardId=SHARD,
                    ShardIteratorType="LATEST") == nf
    assert error_of(k.get_shard_iterator, StreamName=s, ShardId="shardId-000000000001",
                    ShardIteratorType="LATEST") == nf
    # Iterators: garbage, a flipped byte, a bad type, a sequence number the stream never had.
    bad = ("InvalidArgumentException", 400)
    assert error_of(k.get_records, ShardIterator="not-an-iterator") == bad
    it = k.get_shard_iterator(StreamName=s, ShardId=SHARD,
                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    raw_it = bytearray(base64.b64decode(it))
    raw_it[40] ^= 1
    assert error_of(k.get_records, ShardIterator=base64.b64encode(raw_it).decode()) == bad
    assert error_of(raw.get_shard_iterator, StreamName=s, ShardId=SHARD,
                    ShardIteratorType="SOMEWHERE") == bad
    assert error_of(k.get_shard_iterator, StreamName=s, ShardId=SHARD,
                    ShardIteratorType="AT_SEQUENCE_NUMBER", StartingSequenceNumber="1") == bad
    assert error_of(k.get_shard_iterator, StreamName=s, ShardId=SHARD,
                    ShardIteratorType="AT_SEQUENCE_NUMBER", StartingSequenceNumber="12x") == bad
    assert error_of(k.get_records, ShardIterator=it, Limit=10001) == bad
    assert k.get_records(ShardIterator=it, Limit=10000)["Records"] == []
    # Limits: 1 MiB of data plus key a record, keys of 1 to 256 characters, 500 records and
    # 5 MiB a PutRecords; nothing of a refused request lands.
    val = ("ValidationException", 400)
    assert error_of(k.put_record, StreamName=s, Data=b"x" * (1 << 20), PartitionKey="p") == val
    assert error_of(k.put_record, StreamName=s, Data=b"x", PartitionKey="k" * 257) == val
    assert error_of(raw.put_record, StreamName=s, Data=b"x", PartitionKey="") == val
    assert error_of(k.put_records, StreamName=s,
                    Records=[{"Data": b"x", "PartitionKey": "p"}] * 501) == val
    assert error_of(k.put_records, StreamName=s,
                    Records=[{"Data": b"x" * 1000000, "PartitionKey": "p"}] * 6) == val
    assert error_of(k.put_records, StreamName=s,
                    Records=[{"Data": b"ok", "PartitionKey": "p"},
                             {"Data": b"x", "PartitionKey": "k" * 257}]) == val
    r = k.put_record(StreamName=s, Data=b"x" * ((1 << 20) - 1), PartitionKey="p")
    assert r["SequenceNumber"] == "%021d" % 1  # the largest record fits, and it is the first
    got, _, _ = read_all(k, it)
    assert [len(x["Data"]) for x in got] == [(1 << 20) - 1]
    # The AWS CLI shows the same types.
    assert "ResourceNotFoundException" in aws_fails(srv.url, "describe-stream-summary",
                                                    "--stream-name", "nope")


def test_an_iterator_of_a_replaced_log_is_expired(tmp_path, aws_env):
    landing = tmp_path / "landing"
    srv = Serve(landing, tmp_path / "serve1.log")
    k = client(srv.url)
    s = "streaming-pinetl-pin"
    k.put_records(StreamName=s, Records=[{"Data": b"old-%d" % i, "PartitionKey": "p"}
                                         for i in range(5)])
    it = k.get_shard_iterator(StreamName=s, ShardId=SHARD,
                              ShardIteratorType="AFTER_SEQUENCE_NUMBER",
                              StartingSequenceNumber="2")["ShardIterator"]
    assert srv.stop() == 0
    (landing / "streams" / s / f"{SHARD}.log").unlink()
    srv = Serve(landing, tmp_path / "serve2.log")
    try:
        k = client(srv.url)
        k.put_records(StreamName=s, Records=[{"Data": b"new-%d" % i, "PartitionKey": "p"}
                                             for i in range(5)])
        # The same position exists in the new log, but it is another log: not read.
        assert error_of(k.get_records, ShardIterator=it) == ("ExpiredIteratorException", 400)
    finally:
        assert srv.stop() == 0


def test_what_boto3_and_the_cli_put_is_what_pinetl_stream_loads(served, tmp_path, cli):
    srv, landing = served
    k = client(srv.url)
    rows = {t: sample(t, 250) for t in TABLES}
    for t, lines in rows.items():
        s = f"streaming-pinetl-{t}"
        # The AWS CLI puts the first record (v1 sends --data's text as the record's bytes).
        out = aws(srv.url, "put-record", "--stream-name", s, "--partition-key", "cli",
                  "--data", lines[0].decode())
        assert out["ShardId"] == SHARD
        k.put_record(StreamName=s, Data=lines[1], PartitionKey="one")
        for i in range(2, len(lines), 100):
            r = k.put_records(StreamName=s, Records=[{"Data": l, "PartitionKey": f"k{j}"}
                                                     for j, l in enumerate(lines[i:i + 100])])
            assert r["FailedRecordCount"] == 0
        # The CLI's consumer reads them back, base64 in its JSON output.
        it = aws(srv.url, "get-shard-iterator", "--stream-name", s, "--shard-id", SHARD,
                 "--shard-iterator-type", "TRIM_HORIZON")["ShardIterator"]
        got = aws(srv.url, "get-records", "--shard-iterator", it)["Records"]
        assert [base64.b64decode(x["Data"]) for x in got] == lines
    assert srv.stop() == 0
    db = tmp_path / "stream.db"
    cli("stream", "--landing", landing, "--db", db, "--until-idle", "--quiet")
    direct = tmp_path / "records"
    direct.mkdir()
    for t, lines in rows.items():
        (direct / f"{t}.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    want = warehouse(cli, tmp_path / "direct.db", {t: [direct / f"{t}.jsonl"] for t in TABLES})
    assert all(len(want[t]) > 200 for t in TABLES)
    con = sqlite3.connect(db)
    got = {t: con.execute(f'SELECT * FROM "{t}" ORDER BY ind').fetchall() for t in TABLES}
    got["rejects"] = sorted(con.execute('SELECT "table", reason FROM rejects').fetchall())
    con.close()
    assert got == want


def test_an_iterator_sent_with_json_escapes_is_the_same_iterator(served):
    """A JSON encoder may escape any character (some write '/' as '\\/'): the server decodes the
    string before reading the iterator."""
    import urllib.request
    srv, _ = served
    k = client(srv.url)
    s = "streaming-pinetl-geo"
    k.put_record(StreamName=s, Data=b'{"ind":1}', PartitionKey="p")
    it = k.get_shard_iterator(StreamName=s, ShardId=SHARD,
                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    escaped = "".join(f"\\u{ord(c):04x}" for c in it)
    req = urllib.request.Request(srv.url + "/", data=('{"ShardIterator":"%s"}' % escaped).encode(),
                                 headers={"X-Amz-Target": "Kinesis_20131202.GetRecords",
                                          "Content-Type": "application/x-amz-json-1.1"})
    with urllib.request.urlopen(req, timeout=30) as r:
        assert r.headers["Content-Type"] == "application/x-amz-json-1.1"
        body = json.loads(r.read())
    assert [base64.b64decode(x["Data"]) for x in body["Records"]] == [b'{"ind":1}']


def test_a_consumer_tails_while_a_producer_puts(served):
    """Two threads, each with its own boto3 client: a producer puts 40 batches, a consumer
    follows NextShardIterator from TRIM_HORIZON meanwhile. The consumer gets every record once,
    in order, with sequence numbers that grow by one (that it reads acknowledged records only is
    tests/serve/test_kinesis_api_reads.c's, where the timing is not a race)."""
    import threading
    srv, _ = served
    s = "streaming-pinetl-user"
    done = threading.Event()
    errors = []

    def produce():
        try:
            k = client(srv.url)
            for b in range(40):
                r = k.put_records(StreamName=s, Records=[
                    {"Data": b"%d-%d" % (b, i), "PartitionKey": str(i)} for i in range(25)])
                assert r["FailedRecordCount"] == 0
        except Exception as e:  # reported by the main thread
            errors.append(e)
        finally:
            done.set()

    k = client(srv.url)
    it = k.get_shard_iterator(StreamName=s, ShardId=SHARD,
                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    t = threading.Thread(target=produce)
    t.start()
    got, polls = [], 0
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (done.is_set() and len(got) == 40 * 25):
        r = k.get_records(ShardIterator=it, Limit=37)
        polls += 1
        got += r["Records"]
        it = r["NextShardIterator"]
    t.join()
    assert not errors, errors
    assert [x["Data"] for x in got] == [b"%d-%d" % (b, i) for b in range(40) for i in range(25)]
    assert [int(x["SequenceNumber"]) for x in got] == list(range(1, 1001))
    assert polls > 1000 // 37
