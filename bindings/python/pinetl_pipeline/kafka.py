"""Kafka, for real: a direct producer (what the pipeline's Kafka REST Proxy did) and a sink
consumer that lands topics in the Kafka Connect S3 sink layout, exactly once across restarts.

Needs the `kafka` extra (`confluent-kafka`, whose wheels bundle a current librdkafka).

Producer: rows of a table go to topic `<prefix>.<table>`, each value the JSON text the REST Proxy
(json.v2 embedded format) would have produced for `{"value": row}`: compact JSON, UTF-8; acks=all,
idempotence on; every delivery report is counted.

    with pinetl_pipeline.kafka.Producer("127.0.0.1:9092", "0a1b2c3d") as producer:
        producer.send("pin", pin_rows)           # mappings, or JSON text (str/bytes) as is
        producer.send("geo", geo_rows)
    print(producer.stats)                        # sent, acknowledged, failed, latency

Sink (`pinetl-kafka-sink` / `python -m pinetl_pipeline.kafka sink`): consumes topics and writes each
partition's records to `<landing>/topics/<topic>/partition=<p>/<topic>+<p>+<start offset, 10
digits>.json`, one value a line, a file rolled by record count (`flush_size`) and by time
(`rotate_interval_ms`, wall clock since the file's first record, like the S3 sink's
`rotate.schedule.interval.ms`). Exactly once, the way the S3 sink does it:
- a file holds consecutive offsets only (a gap in the offsets, such as a transaction marker, starts
  a new file), so its name (start offset) and its line count give its last offset;
- a file is written under a temporary name in the same folder, fsynced, renamed into place and the
  folder fsynced; only then is the consumer offset (last offset + 1) committed;
- when a partition is assigned, the consumer seeks to the last file's last offset + 1, read from the
  files themselves (the committed offset only when the partition has no file yet; the earliest
  offset when neither exists), and deletes temporary files a crash left. A crash between rename
  and commit therefore re-reads nothing that is already in a file: no duplicate, no gap.

The landing may also be an S3 bucket, `s3://bucket/prefix` (the `s3` extra: boto3; credentials,
region and endpoint from the standard AWS configuration): the same object names under the prefix,
each object one PUT (visible whole or not at all) made create-only with If-None-Match: *, and a
restart resumes from the bucket's listing (pinetl_pipeline.kafka_landing).

The sink lands RAW values, as the S3 sink does: cleaning happens later (`pinetl clean`/`load`
read the layout), so the landing folder keeps the records as they were produced. Each value is one
line; the few values that cannot be one line as they are become one: a tombstone, empty or blank
value lands as `null`, JSON spread over several lines is re-serialised compactly, and other text
with a line break lands as a JSON string. All of these are rejected (with their file and line)
by the later clean, so records read = cleaned + rejected still holds. Each file is also passed
through the C cleaner (`validate_lines`: one `pinetl.arrow.clean_json` call) when the topic's last name part is
a table (`pin`, `geo`, `user`): the sink's summary counts what will clean and what will be
rejected, and logs the first reject of a file by file and line."""
from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import sys
import threading
import time
from dataclasses import dataclass, field

import pinetl
from pinetl import s3sink

from .kafka_landing import BucketLanding, open_landing

TABLES = tuple(pinetl.tables())   # the C library's list


def _kafka():
    try:
        import confluent_kafka
    except ImportError as e:  # pragma: no cover - the message says what to install
        raise ImportError("pinetl_pipeline.kafka needs confluent-kafka: pip install 'pinetl[kafka]'") from e
    return confluent_kafka


def topic_name(prefix, table):
    """`<prefix>.<table>` (or `<table>` without a prefix), checked as Kafka checks topic names
    (by C: pinetl.s3sink.check_topic; an InvalidArgumentError, a ValueError, names it)."""
    name = f"{prefix}.{table}" if prefix else str(table)
    return s3sink.check_topic(name)


def value_bytes(row, default=str):
    """A row as the REST Proxy's json.v2 format put it on the topic: compact JSON in UTF-8.
    str/bytes are taken as JSON text already serialised; `default` serialises other values
    (datetimes: str, as the original emulator's json.dumps(..., default=str))."""
    if isinstance(row, bytes):
        return row
    if isinstance(row, (bytearray, memoryview)):
        return bytes(row)
    if isinstance(row, str):
        return row.encode("utf-8")
    return json.dumps(row, separators=(",", ":"), ensure_ascii=False, allow_nan=False,
                      default=default).encode("utf-8")


def _percentile(sorted_values, p):
    if not sorted_values:
        return None
    k = max(0, min(len(sorted_values) - 1, int(round(p / 100.0 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[k]


@dataclass
class ProduceStats:
    """Counts of one producer: sent (handed to the client), acknowledged (delivery report without
    error, i.e. written with acks=all), failed (delivery report with an error); errors: the first
    error messages; latencies_ms: produce call to delivery report, per acknowledged record;
    offsets: {(topic, partition): [first, last]} acknowledged."""
    sent: int = 0
    acknowledged: int = 0
    failed: int = 0
    errors: list = field(default_factory=list)
    latencies_ms: list = field(default_factory=list)
    offsets: dict = field(default_factory=dict)

    def latency_ms(self, p):
        """The p-th percentile (nearest rank) of the delivery latency in ms, None without data."""
        return _percentile(sorted(self.latencies_ms), p)

    def summary(self):
        return {"sent": self.sent, "acknowledged": self.acknowledged, "failed": self.failed,
                "latency_p50_ms": self.latency_ms(50), "latency_p99_ms": self.latency_ms(99),
                "errors": self.errors[:5]}


class Producer:
    """Produces table rows to `<prefix>.<table>` with acks=all and idempotence.

    bootstrap_servers: "host:port[,...]"; prefix: the topic prefix ('' for bare table names);
    config: extra librdkafka settings (overrides, e.g. {"linger.ms": 20}); default: serialiser for
    values json cannot serialise (str). on_delivery(err, msg), if given, is called for each
    delivery report after counting. Not thread-safe: one producer per thread."""

    MAX_ERRORS_KEPT = 20

    def __init__(self, bootstrap_servers, prefix, *, config=None, default=str, on_delivery=None):
        ck = _kafka()
        conf = {"bootstrap.servers": bootstrap_servers, "acks": "all",
                "enable.idempotence": True, "linger.ms": 5,
                "client.id": f"pinetl-producer-{socket.gethostname()}"}
        conf.update(config or {})
        self._producer = ck.Producer(conf)
        self.prefix = prefix
        self.default = default
        self.stats = ProduceStats()
        self._on_delivery = on_delivery
        self._topics = {}

    def _topic(self, table):
        t = self._topics.get(table)
        if t is None:
            t = self._topics[table] = topic_name(self.prefix, table)
        return t

    def _report(self, sent_at):
        def report(err, msg):
            st = self.stats
            if err is not None:
                st.failed += 1
                if len(st.errors) < self.MAX_ERRORS_KEPT:
                    st.errors.append(f"{msg.topic()}: {err.str()}")
            else:
                st.acknowledged += 1
                st.latencies_ms.append((time.perf_counter() - sent_at) * 1000.0)
                key = (msg.topic(), msg.partition())
                span = st.offsets.get(key)
                off = msg.offset()
                if span is None:
                    st.offsets[key] = [off, off]
                else:
                    span[0] = min(span[0], off)
                    span[1] = max(span[1], off)
            if self._on_delivery is not None:
                self._on_delivery(err, msg)
        return report

    def send_value(self, topic, value, key=None):
        """Enqueues one value (bytes) to a topic; waits for room when the client's queue is full."""
        report = self._report(time.perf_counter())
        while True:
            try:
                self._producer.produce(topic, value=value, key=key, on_delivery=report)
                break
            except BufferError:
                self._producer.poll(0.05)   # queue full: serve delivery reports, then retry
        self.stats.sent += 1

    def send(self, table, rows):
        """Enqueues rows (mappings, or JSON text as str/bytes) of `table` to `<prefix>.<table>`.
        Returns how many were enqueued; delivery is counted in `stats` as reports arrive."""
        topic = self._topic(table)
        n = 0
        for row in rows:
            self.send_value(topic, value_bytes(row, self.default))
            n += 1
            if n % 1000 == 0:
                self._producer.poll(0)
        self._producer.poll(0)
        return n

    def send_post(self, post):
        """Enqueues one post: {table: row} (the emulator's three rows of one draw), each row to
        its table's topic."""
        for table, row in post.items():
            self.send_value(self._topic(table), value_bytes(row, self.default))
        self._producer.poll(0)

    def poll(self, timeout=0.0):
        """Serves delivery reports (returns how many)."""
        return self._producer.poll(timeout)

    def flush(self, timeout=60.0):
        """Waits until every enqueued record has its delivery report (or timeout s); returns the
        stats. Raises TimeoutError if some are still in flight."""
        left = self._producer.flush(timeout)
        if left:
            raise TimeoutError(f"{left} records still without a delivery report after {timeout} s")
        return self.stats

    def close(self, timeout=60.0):
        return self.flush(timeout)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.flush()
        return False


def produce_rows(bootstrap_servers, prefix, rows_by_table, **kwargs):
    """Produces {table: rows} and waits for every delivery report; returns ProduceStats."""
    with Producer(bootstrap_servers, prefix, **kwargs) as producer:
        for table, rows in rows_by_table.items():
            producer.send(table, rows)
    return producer.stats


# ---------------------------------------------------------------------------------------------
# The S3-sink-layout consumer

# The layout's names come from C (pinetl.s3sink), as pinetl serve's landing writes them; the
# landing (a folder or an s3:// bucket location) is pinetl_pipeline.kafka_landing's.
object_name = s3sink.object_name


def partition_dir(landing, topic, partition):
    """The folder (or s3:// location) of a partition's objects under landing."""
    where = open_landing(landing)
    if isinstance(where, BucketLanding):
        return where.partition_uri(topic, partition)
    return where.partition_dir(topic, partition)


def landed_files(landing, topic, partition):
    """[(start offset, path or s3:// uri)] of a partition's objects, by start offset."""
    return open_landing(landing).objects(topic, partition)


def next_offset_from_files(landing, topic, partition):
    """The offset after the last landed record of a partition (its last object's start + lines),
    or None when the partition has no object."""
    return open_landing(landing).next_offset(topic, partition)


def landing_line(value):
    """One record's value as one line of a landed file (without the newline), see the module's
    documentation: raw bytes when they are one non-blank line, else a faithful one-line form."""
    if value is None or not value.strip():
        return b"null"
    if b"\n" not in value and b"\r" not in value:
        return value
    try:
        return json.dumps(json.loads(value), separators=(",", ":"),
                          ensure_ascii=False).encode("utf-8")
    except (ValueError, UnicodeDecodeError, RecursionError):
        return json.dumps(value.decode("utf-8", "backslashreplace")).encode("utf-8")


def validate_lines(table, lines, source):
    """Runs records (one bytes value each) of `table` through the C cleaner in one call
    (pinetl.arrow.clean_json: the batch's columns are handed over, not copied): returns (read,
    rejected, (line, message) of the first reject or None)."""
    import pyarrow as pa

    import pinetl.arrow
    res = pinetl.arrow.clean_json(pa.array(lines, pa.large_binary()), table, source=source)
    first = None
    if res.rejects.num_rows:
        first = (res.rejects.column("line")[0].as_py(), res.rejects.column("message")[0].as_py())
    return res.stats["read"], res.stats["rejected"], first


class _Part:
    __slots__ = ("topic", "partition", "next", "start", "lines", "opened")

    def __init__(self, topic, partition, next_offset):
        self.topic = topic
        self.partition = partition
        self.next = next_offset      # the first offset not in a file yet (None: not known yet)
        self.start = None            # the open buffer's first offset
        self.lines = []
        self.opened = 0.0


@dataclass
class SinkStats:
    """records: landed (in files renamed into place); files; skipped: records delivered again
    below a partition's landed end (dropped, never written twice); validated: the C cleaner's
    counts over landed records per table ({table: {"read","cleaned","rejected"}});
    commit_failures: offset commits that failed (harmless: the files decide)."""
    records: int = 0
    files: int = 0
    skipped: int = 0
    validated: dict = field(default_factory=dict)
    commit_failures: int = 0

    def as_dict(self):
        return {"records": self.records, "files": self.files, "skipped": self.skipped,
                "validated": self.validated, "commit_failures": self.commit_failures}


class S3Sink:
    """Consumes `topics` into `landing` in the S3 sink layout, exactly once (see the module's
    documentation). group: the consumer group (offsets are committed there after each file);
    instance_id: static group membership (a restarted sink takes its place at once, no
    rebalance wait); flush_size: records per file; rotate_interval_ms: the longest a file stays
    open; validate: run landed files through the C cleaner for the counts; config: extra
    librdkafka settings; log: a callable for progress lines (None: silent)."""

    def __init__(self, bootstrap_servers, topics, landing, *, group="pinetl-s3-sink",
                 instance_id=None, flush_size=1000, rotate_interval_ms=60000, validate=True,
                 config=None, log=None):
        if flush_size < 1:
            raise ValueError("flush_size must be at least 1")
        if rotate_interval_ms < 1:
            raise ValueError("rotate_interval_ms must be at least 1")
        self.topics = [topic_name("", t) for t in topics]
        if not self.topics:
            raise ValueError("no topic to consume")
        self.landing = landing if isinstance(landing, str) else os.fspath(landing)
        self._landing = open_landing(self.landing)
        self.flush_size = flush_size
        self.rotate_s = rotate_interval_ms / 1000.0
        self.validate = validate
        self.log = log
        self.stats = SinkStats()
        self._parts = {}
        self._assigned_at = None
        self._stop = threading.Event()
        ck = _kafka()
        self._ck = ck
        conf = {"bootstrap.servers": bootstrap_servers, "group.id": group,
                "enable.auto.commit": False, "enable.auto.offset.store": False,
                "auto.offset.reset": "earliest", "isolation.level": "read_committed",
                "allow.auto.create.topics": True,
                "group.instance.id": instance_id or f"pinetl-s3-sink-{socket.gethostname()}",
                "session.timeout.ms": 10000}
        conf.update(config or {})
        self._consumer = ck.Consumer(conf)

    # -- assignment ------------------------------------------------------------------------
    def _on_assign(self, consumer, partitions):
        committed = {}
        landed = {(tp.topic, tp.partition): self._landing.next_offset(tp.topic, tp.partition)
                  for tp in partitions}
        need = [tp for tp in partitions if landed[(tp.topic, tp.partition)] is None]
        if need:
            for tp in consumer.committed(need, timeout=30):
                if tp.error is None and tp.offset >= 0:
                    committed[(tp.topic, tp.partition)] = tp.offset
        for tp in partitions:
            self._landing.remove_temporaries(tp.topic, tp.partition, self._say)
            nxt = landed[(tp.topic, tp.partition)]
            if nxt is None:
                nxt = committed.get((tp.topic, tp.partition))
            tp.offset = nxt if nxt is not None else self._ck.OFFSET_BEGINNING
            self._parts[(tp.topic, tp.partition)] = _Part(tp.topic, tp.partition, nxt)
            self._say(f"assigned {tp.topic}[{tp.partition}] from offset "
                      f"{nxt if nxt is not None else 'earliest'}")
        consumer.assign(partitions)
        self._assigned_at = time.monotonic()

    def _on_revoke(self, consumer, partitions):
        # Still ours until this returns: land what is buffered (commits follow the files).
        for tp in partitions:
            part = self._parts.pop((tp.topic, tp.partition), None)
            if part is not None and part.lines:
                self._roll(part)

    # -- files -----------------------------------------------------------------------------
    def _roll(self, part):
        """Lands the buffered records of a partition as one file, then commits its offsets."""
        start, lines = part.start, part.lines
        end = start + len(lines) - 1
        final = self._landing.write(part.topic, part.partition, start, b"\n".join(lines) + b"\n")
        part.next = end + 1
        part.start, part.lines = None, []
        self.stats.records += len(lines)
        self.stats.files += 1
        if self.validate:
            self._validate(part.topic, final, lines)
        try:
            self._consumer.commit(offsets=[self._ck.TopicPartition(part.topic, part.partition,
                                                                   end + 1)],
                                  asynchronous=False)
        except self._ck.KafkaException as e:
            # The file is in place: the next run resumes after it whatever was committed.
            self.stats.commit_failures += 1
            self._say(f"commit of {part.topic}[{part.partition}]@{end + 1} failed: {e}")

    def _validate(self, topic, path, lines):
        table = s3sink.topic_table(topic)
        if table is None:
            return
        read, rejected, first = validate_lines(table, lines, path)
        counts = self.stats.validated.setdefault(table, {"read": 0, "cleaned": 0, "rejected": 0})
        counts["read"] += read
        counts["cleaned"] += read - rejected
        counts["rejected"] += rejected
        if rejected:
            self._say(f"{path}: {rejected} of {read} records will be rejected by the clean, "
                      f"first at line {first[0]}: {first[1]}")

    def _say(self, text):
        if self.log is not None:
            self.log(text)

    # -- the loop --------------------------------------------------------------------------
    def stop(self):
        """Asks run() to land what it holds and return (thread-safe, signal-safe)."""
        self._stop.set()

    def _take(self, msg):
        key = (msg.topic(), msg.partition())
        part = self._parts.get(key)
        if part is None:          # a message of a partition no longer ours
            return
        off = msg.offset()
        if part.next is not None and off < part.next:
            self.stats.skipped += 1
            return
        if part.lines and off != part.start + len(part.lines):
            self._roll(part)      # a gap in the offsets: a file holds consecutive offsets only
        if not part.lines:
            part.start = off
            part.opened = time.monotonic()
        part.lines.append(landing_line(msg.value()))
        if len(part.lines) >= self.flush_size:
            self._roll(part)

    def run(self, *, until_idle=None, batch=500, poll_timeout=0.2):
        """Consumes until stop() (or SIGTERM/SIGINT through main()), or, with until_idle=S, until
        no record arrived for S seconds; lands what is buffered, commits, leaves the group.
        Returns the SinkStats."""
        ck = self._ck
        try:
            self._landing.check()
        except BaseException:
            self._consumer.close()
            raise
        self._consumer.subscribe(self.topics, on_assign=self._on_assign,
                                 on_revoke=self._on_revoke)
        started = last_record = time.monotonic()
        try:
            while not self._stop.is_set():
                msgs = self._consumer.consume(num_messages=batch, timeout=poll_timeout)
                for msg in msgs:
                    err = msg.error()
                    if err is not None:
                        if err.code() in (ck.KafkaError._PARTITION_EOF,
                                          ck.KafkaError.UNKNOWN_TOPIC_OR_PART):
                            continue
                        if err.fatal():
                            raise ck.KafkaException(err)
                        self._say(f"consumer error: {err.str()}")
                        continue
                    self._take(msg)
                    last_record = time.monotonic()
                now = time.monotonic()
                for part in list(self._parts.values()):
                    if part.lines and now - part.opened >= self.rotate_s:
                        self._roll(part)
                if until_idle is not None and not msgs:
                    # Idle counts from the last record or assignment; joining the group first
                    # may take a while (up to 60 s without any assignment).
                    since = max(last_record, self._assigned_at or started)
                    if now - since >= until_idle and (self._assigned_at or now - started >= 60):
                        break
            for part in list(self._parts.values()):
                if part.lines:
                    self._roll(part)
        finally:
            self._consumer.close()
        return self.stats


# ---------------------------------------------------------------------------------------------
# Command line: python -m pinetl_pipeline.kafka {sink,produce,perf}

def _topics_from_args(args):
    topics = []
    if args.topics:
        topics += [t for t in args.topics.split(",") if t]
    if args.prefix is not None:
        topics += [topic_name(args.prefix, t) for t in args.tables.split(",") if t]
    return topics


def _cmd_sink(args):
    topics = _topics_from_args(args)
    if not topics:
        raise SystemExit("pinetl-kafka-sink: name topics with --topics or --prefix")
    log = None if args.quiet else (lambda s: print(f"pinetl-kafka-sink: {s}", file=sys.stderr,
                                                  flush=True))
    config = dict(kv.split("=", 1) for kv in args.config)
    sink = S3Sink(args.bootstrap, topics, args.landing, group=args.group,
                  instance_id=args.instance_id, flush_size=args.flush_size,
                  rotate_interval_ms=args.rotate_interval_ms, validate=not args.no_validate,
                  config=config, log=log)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: sink.stop())
    try:
        stats = sink.run(until_idle=args.until_idle)
    except OSError as e:        # the landing: a missing bucket, refused credentials, a full disk
        print(f"pinetl-kafka-sink: {e}", file=sys.stderr)
        return 1
    summary = json.dumps(stats.as_dict())
    if args.summary_json:
        with open(args.summary_json, "w") as f:
            f.write(summary + "\n")
    print(summary)
    return 0


def _read_values(paths):
    for path in paths:
        f = sys.stdin.buffer if path == "-" else open(path, "rb")
        try:
            for line in f:
                line = line.rstrip(b"\r\n")
                if line.strip():
                    yield line
        finally:
            if f is not sys.stdin.buffer:
                f.close()


def _cmd_produce(args):
    config = dict(kv.split("=", 1) for kv in args.config)
    with Producer(args.bootstrap, args.prefix, config=config) as producer:
        producer.send(args.table, _read_values(args.files))
    print(json.dumps(producer.stats.summary()))
    return 0 if producer.stats.failed == 0 else 1


def _cmd_perf(args):
    """The confluent-kafka anchor: N records of S bytes, acks=all, idempotent, as fast as the
    client can (or paced at --throughput records/s); records/s from the first produce call to
    the last delivery report."""
    config = dict(kv.split("=", 1) for kv in args.config)
    config.setdefault("acks", args.acks)
    if args.acks != "all":
        config.setdefault("enable.idempotence", False)
    producer = Producer(args.bootstrap, "", config=config)
    payload = (b"x" * args.record_size)
    topic = topic_name("", args.topic)
    t0 = time.perf_counter()
    for i in range(args.records):
        if args.throughput > 0:           # paced: latency at a given load, not queueing delay
            wait = t0 + i / args.throughput - time.perf_counter()
            if wait > 0:
                producer.poll(wait)
        producer.send_value(topic, payload)
        producer.poll(0)
    producer.flush(300)
    elapsed = time.perf_counter() - t0
    st = producer.stats
    print(f"confluent-kafka-perf: records={st.acknowledged} record_size={args.record_size} "
          f"acks={args.acks} records_per_s={st.acknowledged / elapsed:.0f} "
          f"p50_ms={st.latency_ms(50):.1f} p99_ms={st.latency_ms(99):.1f} failed={st.failed}")
    return 0 if st.failed == 0 else 1


def main(argv=None, sink_prog=None):
    ap = argparse.ArgumentParser(prog="python -m pinetl_pipeline.kafka",
                                 description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    env = os.environ.get("KAFKA_BOOTSTRAP")   # as scripts/kafka/broker.sh run sets it
    bootstrap = {"default": env, "required": not env,
                 "help": "bootstrap servers, host:port[,...] (default: $KAFKA_BOOTSTRAP)"}

    s = sub.add_parser("sink", prog=sink_prog, help="land topics in the Kafka Connect S3 sink layout, exactly once")
    s.add_argument("--bootstrap", **bootstrap)
    s.add_argument("--landing", required=True,
                   help="the landing folder or s3://bucket/prefix (topics/ goes under it)")
    s.add_argument("--topics", help="comma-separated topic names")
    s.add_argument("--prefix", help="topic prefix: consume <prefix>.<table> for --tables")
    s.add_argument("--tables", default=",".join(TABLES), help="with --prefix (default: %(default)s)")
    s.add_argument("--group", default="pinetl-s3-sink", help="consumer group (default: %(default)s)")
    s.add_argument("--instance-id", help="static group member id (default: pinetl-s3-sink-HOST)")
    s.add_argument("--flush-size", type=int, default=1000, help="records per file (default: %(default)s)")
    s.add_argument("--rotate-interval-ms", type=int, default=60000,
                   help="longest time a file stays open, ms (default: %(default)s)")
    s.add_argument("--until-idle", type=float, metavar="SECONDS",
                   help="stop after SECONDS without a record (default: run until SIGTERM/SIGINT)")
    s.add_argument("--no-validate", action="store_true",
                   help="do not count cleanable/rejected records with the C cleaner")
    s.add_argument("--config", action="append", default=[], metavar="KEY=VALUE",
                   help="extra librdkafka consumer setting (repeatable)")
    s.add_argument("--summary-json", metavar="FILE", help="also write the summary there")
    s.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    s.set_defaults(func=_cmd_sink)

    p = sub.add_parser("produce", help="produce JSON lines (files or -) to <prefix>.<table>")
    p.add_argument("--bootstrap", **bootstrap)
    p.add_argument("--prefix", required=True)
    p.add_argument("--table", required=True)
    p.add_argument("--config", action="append", default=[], metavar="KEY=VALUE")
    p.add_argument("files", nargs="+")
    p.set_defaults(func=_cmd_produce)

    q = sub.add_parser("perf", help="producer throughput and latency with confluent-kafka")
    q.add_argument("--bootstrap", **bootstrap)
    q.add_argument("--topic", default="perf")
    q.add_argument("--records", type=int, default=100000)
    q.add_argument("--record-size", type=int, default=1000)
    q.add_argument("--acks", default="all")
    q.add_argument("--throughput", type=float, default=-1,
                   help="records/s to pace at (default: as fast as possible)")
    q.add_argument("--config", action="append", default=[], metavar="KEY=VALUE")
    q.set_defaults(func=_cmd_perf)

    args = ap.parse_args(argv)
    return args.func(args)


def sink_main():
    """The `pinetl-kafka-sink` entry point: `python -m pinetl_pipeline.kafka sink ARGS`."""
    return main(["sink", *sys.argv[1:]], sink_prog="pinetl-kafka-sink")


if __name__ == "__main__":
    sys.exit(main())
