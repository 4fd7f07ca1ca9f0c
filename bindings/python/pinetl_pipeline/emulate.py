"""The posting emulator: random posts from the source database, sent as the original sent them.

    pinetl-emulate --source source.db --url http://127.0.0.1:8082 --mode batch
    pinetl-emulate --source mysql://user:pass@host:3306/pinterest --mode stream --count 1000
    python -m pinetl_pipeline.emulate ...

Draws --count posts (default 500) at random with replacement, seeded: a post is one position, the
same in the three tables (the original's `LIMIT r, 1` on pinterest_data, geolocation_data and
user_data). Each table's row is serialised as the original did, `json.dumps(row, default=str)`, so
a MySQL DATETIME becomes 'YYYY-MM-DD HH:MM:SS'. Then:

- batch: Kafka REST Proxy v2, `POST <url>/topics/<topic>` with
  `Content-Type: application/vnd.kafka.json.v2+json` and `{"records":[{"value":{...}}, ...]}`;
  topics `<prefix>.pin`, `<prefix>.geo`, `<prefix>.user` (--topic-template).
- stream: Kinesis through the gateway, `PUT <url>/streams/<stream>/record` with
  `{"StreamName","Data","PartitionKey"}` (one record a request), or, with --per-request above 1,
  `PUT <url>/streams/<stream>/records` with `{"StreamName","Records":[{"Data","PartitionKey"}]}`;
  streams `streaming-<prefix>-pin`, ... (--stream-template). `Data` is the record as a JSON
  object, as the original's gateway mapping received it, or base64 of its JSON (--data base64).
- batch straight to Kafka (--kafka-bootstrap HOST:PORT, the `kafka` extra): each record is
  produced with pinetl_pipeline.kafka.Producer (confluent-kafka, acks=all, idempotent) to the same topics,
  as the original's REST proxy produced it (compact UTF-8 JSON); one produce call per record,
  --rate records a second.

Requests are retried with exponential backoff and full jitter on connection errors, timeouts,
5xx, 429 and Kinesis throttling (ProvisionedThroughputExceededException, also per record in a
PutRecords reply), never on another 4xx. At the end a summary (posted, acknowledged, failed,
retried; latency p50/p99); a progress bar on stderr when it is a terminal. Exit status 0 when every
record was acknowledged, 1 when any failed, 2 for a usage or source error."""
import argparse
import base64
import json
import os
import random
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from . import source as _source

TABLES = _source.TABLE_NAMES
KAFKA_JSON = "application/vnd.kafka.json.v2+json"
KAFKA_ACCEPT = "application/vnd.kafka.v2+json, application/json"
THROTTLED = "ProvisionedThroughputExceededException"
KINESIS_RETRIABLE = {THROTTLED, "InternalFailure", "ServiceUnavailable"}
KAFKA_RETRIABLE = {50003}


def serialise(row):
    """A row as the original sent it: json.dumps(..., default=str) of the row's mapping."""
    return json.dumps(row, default=str)


def draw(n_posts, count, seed):
    """count positions in 1..n_posts, uniformly with replacement, from the seed alone."""
    if n_posts < 1:
        raise _source.SourceError("the source has no posts")
    rng = random.Random(seed)
    return [rng.randrange(n_posts) + 1 for _ in range(count)]


def drawn_records(src, count, seed):
    """{table: [JSON text of each drawn post's row, in draw order]} from an open source."""
    positions = draw(src.posts(), count, seed)
    out = {}
    for t in TABLES:
        rows = src.fetch(t, positions)
        missing = sorted(set(positions) - rows.keys())
        if missing:
            raise _source.SourceError(f"{_source.TABLES[t][0]}: no row at position {missing[0]}")
        out[t] = [serialise(rows[p]) for p in positions]
    return out


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.posted = self.acknowledged = self.failed = self.retried = self.requests = 0
        self.latencies = []
        self.errors = {}

    def add(self, **kw):
        with self.lock:
            for k, v in kw.items():
                setattr(self, k, getattr(self, k) + v)

    def latency(self, seconds):
        with self.lock:
            self.latencies.append(seconds)

    def error(self, text):
        with self.lock:
            self.errors[text] = self.errors.get(text, 0) + 1

    def percentile(self, q):
        data = sorted(self.latencies)
        if not data:
            return None
        k = max(0, min(len(data) - 1, int(round(q * len(data) + 0.5)) - 1))
        return data[k]  # nearest rank

    def as_dict(self):
        p50, p99 = self.percentile(0.50), self.percentile(0.99)
        return {"posted": self.posted, "acknowledged": self.acknowledged, "failed": self.failed,
                "retried": self.retried, "requests": self.requests,
                "latency_ms": {"p50": None if p50 is None else round(p50 * 1000, 3),
                               "p99": None if p99 is None else round(p99 * 1000, 3)},
                "errors": self.errors}

    def text(self):
        d = self.as_dict()
        lat = d["latency_ms"]
        def ms(v):
            return "n/a" if v is None else f"{v:.1f} ms"
        retried = "n/a" if d["retried"] is None else d["retried"]
        out = (f"posted {d['posted']}, acknowledged {d['acknowledged']}, failed {d['failed']}, "
               f"retried {retried} (requests {d['requests']}); latency p50 "
               f"{ms(lat['p50'])}, p99 {ms(lat['p99'])}")
        for e, n in sorted(self.errors.items()):
            out += f"\n  {n} x {e}"
        return out


class RateLimiter:
    """At most rate requests a second in total (0: no limit)."""

    def __init__(self, rate):
        self.interval = 1.0 / rate if rate else 0.0
        self.next = time.monotonic()
        self.lock = threading.Lock()

    def wait(self):
        if not self.interval:
            return
        with self.lock:
            now = time.monotonic()
            at = max(self.next, now)
            self.next = at + self.interval
        if at > now:
            time.sleep(at - now)


class Progress:
    """A one-line progress bar on a terminal (stderr); nothing otherwise."""

    def __init__(self, total, stream=None, enabled=None):
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.total, self.done, self.shown = total, 0, 0.0
        self.lock = threading.Lock()

    def advance(self, n, stats):
        if not self.enabled:
            return
        with self.lock:
            self.done += n
            now = time.monotonic()
            if now - self.shown < 0.1 and self.done < self.total:
                return
            self.shown = now
            width = 30
            fill = int(width * self.done / self.total) if self.total else width
            self.stream.write(f"\r[{'#' * fill}{'.' * (width - fill)}] {self.done}/{self.total} "
                              f"acked {stats.acknowledged} failed {stats.failed} "
                              f"retried {stats.retried}")
            self.stream.flush()

    def close(self):
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


class Sender:
    """Sends one request's records with retries; thread-safe (one HTTP session per thread)."""

    def __init__(self, opts, stats, limiter):
        import requests
        self.requests = requests
        self.opts, self.stats, self.limiter = opts, stats, limiter
        self.local = threading.local()
        self.jitter = random.Random()  # not the draw's generator: jitter need not be reproducible
        self.jitter_lock = threading.Lock()

    def session(self):
        s = getattr(self.local, "session", None)
        if s is None:
            s = self.requests.Session()
            # Retries are ours (with the policy above), not urllib3's.
            adapter = self.requests.adapters.HTTPAdapter(max_retries=0, pool_maxsize=2)
            s.mount("http://", adapter)
            s.mount("https://", adapter)
            # pinetl serve with TLS and --credentials (docs/security.md): the REST Proxy paths
            # take Basic, the API Gateway paths x-api-key.
            if self.opts.basic_auth:
                user, _, password = self.opts.basic_auth.partition(":")
                s.auth = (user, password)
            if self.opts.api_key:
                s.headers["x-api-key"] = self.opts.api_key
            self.local.session = s
        return s

    def backoff(self, attempt, retry_after=None):
        cap = min(self.opts.backoff_max, self.opts.backoff_base * (2 ** attempt))
        with self.jitter_lock:
            delay = self.jitter.uniform(0, cap)  # "full jitter"
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.opts.backoff_max))
        time.sleep(delay)

    # ---- request shapes ----

    def batch_request(self, table, records):
        topic = self.opts.topic_template.format(prefix=self.opts.prefix, table=table)
        body = '{"records":[' + ",".join('{"value":' + r + "}" for r in records) + "]}"
        return ("POST", f"{self.opts.url}/topics/{topic}",
                {"Content-Type": KAFKA_JSON, "Accept": KAFKA_ACCEPT}, body)

    def _data(self, record):
        if self.opts.data == "base64":
            return json.dumps(base64.b64encode(record.encode("utf-8")).decode("ascii"))
        return record

    def stream_request(self, table, records):
        stream = self.opts.stream_template.format(prefix=self.opts.prefix, table=table)
        key = json.dumps(self.opts.partition_key)
        headers = {"Content-Type": "application/json"}
        name = json.dumps(stream)
        if self.opts.per_request == 1:
            body = (f'{{"StreamName":{name},"Data":{self._data(records[0])},'
                    f'"PartitionKey":{key}}}')
            return "PUT", f"{self.opts.url}/streams/{stream}/record", headers, body
        body = (f'{{"StreamName":{name},"Records":[' +
                ",".join(f'{{"Data":{self._data(r)},"PartitionKey":{key}}}' for r in records) +
                "]}")
        return "PUT", f"{self.opts.url}/streams/{stream}/records", headers, body

    # ---- replies: which records were acknowledged, which to retry ----

    @staticmethod
    def _json(resp):
        try:
            return resp.json()
        except ValueError:
            return None

    def judge(self, resp, n):
        """(acked, retry indices, failed [(index, reason)]) for a reply to n records."""
        body = self._json(resp)
        code = resp.status_code
        if 200 <= code < 300:
            if self.opts.mode == "batch":
                offsets = body.get("offsets") if isinstance(body, dict) else None
                if not isinstance(offsets, list) or len(offsets) != n:
                    return 0, [], [(i, f"HTTP {code}: reply without {n} offsets")
                                   for i in range(n)]
                acked, retry, failed = 0, [], []
                for i, o in enumerate(offsets):
                    err = o.get("error_code") if isinstance(o, dict) else "bad offset"
                    if err is None:
                        acked += 1
                    elif err in KAFKA_RETRIABLE:
                        retry.append(i)
                    else:
                        failed.append((i, f"Kafka error {err}: {o.get('error')}"))
                return acked, retry, failed
            if self.opts.per_request == 1:
                if isinstance(body, dict) and "SequenceNumber" in body:
                    return 1, [], []
                return 0, [], [(0, f"HTTP {code}: reply without a SequenceNumber")]
            recs = body.get("Records") if isinstance(body, dict) else None
            if not isinstance(recs, list) or len(recs) != n:
                return 0, [], [(i, f"HTTP {code}: reply without {n} Records") for i in range(n)]
            acked, retry, failed = 0, [], []
            for i, r in enumerate(recs):
                err = r.get("ErrorCode") if isinstance(r, dict) else "bad record"
                if err is None and isinstance(r, dict) and "SequenceNumber" in r:
                    acked += 1
                elif err in KINESIS_RETRIABLE:
                    retry.append(i)
                else:
                    failed.append((i, f"{err}: {r.get('ErrorMessage') if isinstance(r, dict) else r}"))
            return acked, retry, failed
        kind = body.get("__type", "") if isinstance(body, dict) else ""
        if code >= 500 or code == 429 or THROTTLED in str(kind):
            return 0, list(range(n)), []
        msg = body.get("message") if isinstance(body, dict) else None
        tag = (body.get("error_code") or kind) if isinstance(body, dict) else ""
        return 0, [], [(i, f"HTTP {code} {tag}: {msg or resp.text[:200]}".replace("  ", " "))
                       for i in range(n)]

    def send(self, table, records):
        """Sends records (JSON texts) of one table until each is acknowledged or failed."""
        self.stats.add(posted=len(records))
        pending = list(records)
        attempt = 0
        while True:
            method, url, headers, body = (self.batch_request if self.opts.mode == "batch"
                                          else self.stream_request)(table, pending)
            self.limiter.wait()
            t0 = time.perf_counter()
            retry_after = None
            try:
                # verify per request: requests lets $REQUESTS_CA_BUNDLE override a session's
                resp = self.session().request(method, url, data=body.encode("utf-8"),
                                              headers=headers, timeout=self.opts.timeout,
                                              verify=self.opts.ca_file or None)
            except self.requests.RequestException as e:
                self.stats.add(requests=1)
                retry, failed, acked = list(range(len(pending))), [], 0
                last = f"{type(e).__name__}"
            else:
                self.stats.add(requests=1)
                self.stats.latency(time.perf_counter() - t0)
                acked, retry, failed = self.judge(resp, len(pending))
                last = f"HTTP {resp.status_code}"
                ra = resp.headers.get("Retry-After")
                if ra is not None:
                    try:
                        retry_after = float(ra)
                    except ValueError:
                        retry_after = None
            self.stats.add(acknowledged=acked, failed=len(failed))
            for _, reason in failed:
                self.stats.error(reason)
            if retry and attempt + 1 >= self.opts.attempts:
                self.stats.add(failed=len(retry))
                self.stats.error(f"gave up after {self.opts.attempts} attempts ({last})")
                retry = []
            if not retry:
                return len(records)
            pending = [pending[i] for i in retry]
            self.stats.add(retried=1)
            self.backoff(attempt, retry_after)
            attempt += 1


def jobs(records, per_request):
    """(table, [records]) requests in post order: posts i..i+k go as one request per table."""
    n = len(records[TABLES[0]])
    for i in range(0, n, per_request):
        for t in TABLES:
            yield t, records[t][i:i + per_request]


def run(opts, records, progress=None):
    """Sends the drawn records; returns Stats."""
    stats = Stats()
    sender = Sender(opts, stats, RateLimiter(opts.rate))
    total = sum(len(v) for v in records.values())
    progress = progress or Progress(total, enabled=False)
    work = list(jobs(records, opts.per_request))

    def one(job):
        n = sender.send(*job)
        progress.advance(n, stats)

    with ThreadPoolExecutor(max_workers=opts.concurrency) as pool:
        for f in [pool.submit(one, j) for j in work]:
            f.result()
    progress.close()
    return stats


def kafka_topics(opts):
    """{table: topic} of the batch mode, each name checked as Kafka checks it (ValueError)."""
    from . import kafka as _kafka
    return {t: _kafka.topic_name("", opts.topic_template.format(prefix=opts.prefix, table=t))
            for t in TABLES}


def run_kafka(opts, records, progress=None):
    """Produces the drawn records straight to Kafka (pinetl_pipeline.kafka.Producer); returns Stats.

    posted: records handed to the client; acknowledged/failed: delivery reports (acks=all)
    without/with an error, and records still without a report when the flush timed out count as
    failed; requests: produce calls (one per record); latency: produce call to delivery report,
    per acknowledged record. Retries are librdkafka's own (idempotent producer, within
    --timeout), so `retried` is not counted (None)."""
    from . import kafka as _kafka
    stats = Stats()
    stats.retried = None
    total = sum(len(v) for v in records.values())
    progress = progress or Progress(total, enabled=False)
    topics = kafka_topics(opts)
    config = {"message.timeout.ms": max(1, int(opts.timeout * 1000))}
    config.update(opts.kafka_config)

    def delivered(err, msg):
        if err is None:
            stats.add(acknowledged=1)
        else:
            stats.add(failed=1)
            stats.error(f"{msg.topic()}: {err.str()}")
        progress.advance(1, stats)

    producer = _kafka.Producer(opts.kafka_bootstrap, opts.prefix, config=config,
                               on_delivery=delivered)
    limiter = RateLimiter(opts.rate)
    n = len(records[TABLES[0]])
    for i in range(n):          # post order, the three rows of a post together, as over HTTP
        for t in TABLES:
            limiter.wait()
            # The value the REST proxy's json.v2 format put on the topic for this record: the
            # Producer's compact UTF-8 JSON of the row (the same text Python's json reads back).
            producer.send_value(topics[t], _kafka.value_bytes(json.loads(records[t][i])))
            stats.add(posted=1, requests=1)
        producer.poll(0)
    try:
        producer.flush(opts.timeout + 30.0)
    except TimeoutError as e:
        stats.error(str(e))
    missing = stats.posted - stats.acknowledged - stats.failed
    if missing > 0:
        stats.add(failed=missing)
    stats.latencies = [ms / 1000.0 for ms in producer.stats.latencies_ms]
    progress.close()
    return stats


def _parser():
    ap = argparse.ArgumentParser(
        prog="pinetl-emulate",
        description="Post random rows of the source database to a Kafka REST Proxy (batch) or "
                    "to Kinesis through the API gateway (stream), as the original emulator did.")
    ap.add_argument("--source", default="source.db",
                    help="SQLite source database (pinetl-source build) or "
                         "mysql://user:pass@host:port/db (default: source.db)")
    ap.add_argument("--url", default="http://127.0.0.1:8082",
                    help="base URL of the REST proxy / gateway (default http://127.0.0.1:8082)")
    ap.add_argument("--mode", choices=("batch", "stream"), default="batch")
    ap.add_argument("--ca-file", metavar="PEM",
                    help="https --url: verify the server's certificate against this CA bundle "
                         "(default: the system's)")
    ap.add_argument("--api-key", default=os.environ.get("PINETL_EMULATE_API_KEY"),
                    help="x-api-key for the gateway paths (default: $PINETL_EMULATE_API_KEY, "
                         "which keeps it out of the process list)")
    ap.add_argument("--basic-auth", metavar="USER:PASSWORD",
                    default=os.environ.get("PINETL_EMULATE_BASIC_AUTH"),
                    help="HTTP Basic for the REST Proxy paths (default: "
                         "$PINETL_EMULATE_BASIC_AUTH)")
    ap.add_argument("--kafka-bootstrap", metavar="HOST:PORT",
                    help="batch mode: produce straight to this Kafka cluster (confluent-kafka, "
                         "acks=all, idempotent) instead of posting to a REST proxy at --url")
    ap.add_argument("--kafka-config", action="append", default=[], metavar="KEY=VALUE",
                    help="with --kafka-bootstrap: a librdkafka setting (repeatable)")
    ap.add_argument("--count", type=int, default=500, help="posts to draw (default 500)")
    ap.add_argument("--seed", type=int, default=1, help="seed of the draw (default 1)")
    ap.add_argument("--rate", type=float, default=0.0,
                    help="at most this many requests a second in total (default: no limit)")
    ap.add_argument("--concurrency", type=int, default=4,
                    help="requests in flight at once (default 4)")
    ap.add_argument("--per-request", type=int, default=1,
                    help="records per request (default 1, as the original; stream mode uses "
                         "PutRecords above 1, at most 500)")
    ap.add_argument("--prefix", default="pinetl",
                    help="topic/stream name prefix (the original's user id; default pinetl)")
    ap.add_argument("--topic-template", default="{prefix}.{table}",
                    help="batch topic name (default {prefix}.{table})")
    ap.add_argument("--stream-template", default="streaming-{prefix}-{table}",
                    help="stream name (default streaming-{prefix}-{table})")
    ap.add_argument("--partition-key", default="partition-1",
                    help="Kinesis PartitionKey (default partition-1)")
    ap.add_argument("--data", choices=("json", "base64"), default="json",
                    help="Kinesis Data as a JSON object (the original's) or base64 of its JSON")
    ap.add_argument("--attempts", type=int, default=8,
                    help="attempts per request before its records count as failed (default 8)")
    ap.add_argument("--backoff-base", type=float, default=0.05,
                    help="first backoff cap in seconds, doubled per attempt (default 0.05)")
    ap.add_argument("--backoff-max", type=float, default=5.0,
                    help="largest backoff in seconds (default 5)")
    ap.add_argument("--timeout", type=float, default=30.0, help="per-request timeout in seconds")
    ap.add_argument("--dump", metavar="DIR",
                    help="also write the drawn records to DIR/{pin,geo,user}.jsonl, one JSON "
                         "text a line, as sent")
    ap.add_argument("--dry-run", action="store_true", help="draw (and --dump) but send nothing")
    ap.add_argument("--summary-json", metavar="FILE", help="also write the summary as JSON")
    ap.add_argument("--progress", choices=("auto", "always", "never"), default="auto",
                    help="progress bar on stderr (default: when stderr is a terminal)")
    return ap


def main(argv=None):
    ap = _parser()
    opts = ap.parse_args(argv)
    if opts.count < 0 or opts.concurrency < 1 or opts.attempts < 1 or opts.rate < 0:
        ap.error("--count >= 0, --concurrency >= 1, --attempts >= 1 and --rate >= 0")
    if not 1 <= opts.per_request <= (500 if opts.mode == "stream" else 10000):
        ap.error("--per-request: 1 to 500 in stream mode (the PutRecords limit), 1 to 10000 "
                 "in batch mode")
    opts.url = opts.url.rstrip("/")
    if opts.kafka_bootstrap is not None and opts.mode != "batch":
        ap.error("--kafka-bootstrap: only with --mode batch")
    if opts.kafka_config and opts.kafka_bootstrap is None:
        ap.error("--kafka-config: only with --kafka-bootstrap")
    try:
        opts.kafka_config = dict(kv.split("=", 1) for kv in opts.kafka_config)
    except ValueError:
        ap.error("--kafka-config: KEY=VALUE")
    for tmpl in (opts.topic_template, opts.stream_template):
        try:
            tmpl.format(prefix=opts.prefix, table="pin")
        except (KeyError, IndexError, ValueError) as e:
            ap.error(f"bad name template {tmpl!r}: {e}")
    if opts.kafka_bootstrap is not None:
        try:
            kafka_topics(opts)
        except ValueError as e:
            ap.error(str(e))
        except ImportError as e:
            print(f"pinetl-emulate: {e}", file=sys.stderr)
            return 2
    try:
        with _source.open_source(opts.source) as src:
            records = drawn_records(src, opts.count, opts.seed) if opts.count else \
                {t: [] for t in TABLES}
    except _source.SourceError as e:
        print(f"pinetl-emulate: {e}", file=sys.stderr)
        return 2
    if opts.dump:
        import pathlib
        d = pathlib.Path(opts.dump)
        d.mkdir(parents=True, exist_ok=True)
        for t in TABLES:
            (d / f"{t}.jsonl").write_text("".join(r + "\n" for r in records[t]),
                                         encoding="utf-8")
    if opts.dry_run:
        return 0
    total = sum(len(v) for v in records.values())
    enabled = {"auto": None, "always": True, "never": False}[opts.progress]
    progress = Progress(total, enabled=enabled)
    if opts.kafka_bootstrap is not None:
        stats = run_kafka(opts, records, progress)
        target = f"Kafka {opts.kafka_bootstrap}"
    else:
        stats = run(opts, records, progress)
        target = opts.url
    print(f"pinetl-emulate: {opts.mode} to {target}: {stats.text()}")
    if opts.summary_json:
        extra = {"kafka_bootstrap": opts.kafka_bootstrap} if opts.kafka_bootstrap else {}
        with open(opts.summary_json, "w", encoding="utf-8") as f:
            json.dump(dict(stats.as_dict(), mode=opts.mode, posts=opts.count, **extra), f,
                      indent=1)
            f.write("\n")
    return 0 if stats.failed == 0 and stats.acknowledged == stats.posted else 1


if __name__ == "__main__":
    sys.exit(main())
