"""End to end (issue 11 item 4): pinetl-emulate in both modes against `pinetl serve`.

Starts `pinetl serve --listen 127.0.0.1:0 --landing DIR`, posts 500 posts in batch mode (REST
Proxy v2) and 500 in stream mode (Kinesis PutRecord and PutRecords), stops the server with
SIGTERM (it flushes and closes), then:
- `pinetl load` of the landing folder's S3 sink layout gives the same warehouse as `pinetl load`
  of the drawn records themselves (the emulator's --dump);
- the stream logs (<landing>/streams/<stream>/shardId-000000000000.log, the PSL1 framing of the
  stream log contract, read here through pinetl.streamlog, which asks C) hold exactly the
  records the emulator posted, with sequence numbers 1, 2, 3, ... per shard, and loading their
  payloads gives the same warehouse as loading the drawn records."""
import json
import re
import signal
import sqlite3
import subprocess
import sys

import pytest

from conftest import _cli_path
from pinetl_pipeline import source

# Starts `pinetl serve`.
pytestmark = pytest.mark.service

TABLES = ("pin", "geo", "user")


def read_stream_log(path):
    """[(seq, partition key, payload bytes)] of a stream log, read by C (pinetl.streamlog: the
    format, its CRC and its identity frames are C's); fails on any damaged range or torn tail."""
    from pinetl import streamlog
    with streamlog.Reader(path) as r:
        out = [(rec.seq, rec.key, rec.data) for rec in r.records()]
        assert not r.skipped, f"{path}: damaged ranges {r.skipped}"
        assert r.behind() == 0, f"{path}: {r.behind()} bytes at the end are no record"
    return out


class Serve:
    def __init__(self, landing, log):
        cli = _cli_path()
        assert cli is not None, "the pinetl CLI was not found (PINETL_CLI or a build)"
        self.log = open(log, "wb")
        self.proc = subprocess.Popen([str(cli), "serve", "--listen", "127.0.0.1:0",
                                      "--landing", str(landing)],
                                     stdout=subprocess.PIPE, stderr=self.log)
        line = self.proc.stdout.readline().decode(errors="replace")
        m = re.search(r"(127\.0\.0\.1):(\d+)", line)
        if not m:
            self.stop()
            raise AssertionError(f"pinetl serve: first line does not say where it listens: "
                                 f"{line!r}; stderr: {pathlib_read(log)}")
        self.url = f"http://127.0.0.1:{m.group(2)}"

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("pinetl serve did not stop on SIGTERM within 60 s")
        self.proc.stdout.close()
        self.log.close()
        return self.proc.returncode


def pathlib_read(p):
    try:
        with open(p, "rb") as f:
            return f.read()[-2000:].decode(errors="replace")
    except OSError:
        return ""


def get_json(url):
    import requests
    r = requests.get(url, timeout=10)
    r.raise_for_status()
    return r.json()


def emulate(*args):
    proc = subprocess.run([sys.executable, "-m", "pinetl_pipeline.emulate", "--progress", "never",
                           *map(str, args)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def warehouse(cli, db, inputs):
    """pinetl load of each table's inputs; the three tables' rows and the rejects' reasons."""
    for t in TABLES:
        cli("load", "--db", db, "--table", t, *inputs[t])
    con = sqlite3.connect(db)
    out = {t: con.execute(f'SELECT * FROM "{t}" ORDER BY ind').fetchall() for t in TABLES}
    out["rejects"] = sorted(con.execute('SELECT "table", reason FROM rejects').fetchall())
    con.close()
    return out


def template(names, kind):
    """The name template ("<x>{table}") of the three names serve lists, one per table, each
    ending in the table's name after a '.', '-' or '_'."""
    found = {}
    for t in TABLES:
        hits = [n for n in names if re.fullmatch(rf".+[._-]{t}", n)]
        assert len(hits) == 1, f"{kind}: no single name for {t} among {names}"
        found[t] = hits[0]
    tmpl = {found[t][:-len(t)] + "{table}" for t in TABLES}
    assert len(tmpl) == 1, f"{kind}: names do not share one prefix: {found}"
    return tmpl.pop(), found


@pytest.fixture
def served(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    srv = Serve(landing, tmp_path / "serve.log")
    yield srv, landing
    srv.stop()


def test_emulator_through_serve_lands_every_record(served, tmp_path, cli):
    srv, landing = served
    db = tmp_path / "source.db"
    source.build(db)
    topics = get_json(f"{srv.url}/topics")  # the REST Proxy's list of topic names
    topic_tmpl, topic = template(topics, "GET /topics")
    streams = get_json(f"{srv.url}/streams")  # ListStreams: {"StreamNames": [...], ...}
    stream_tmpl, stream = template(streams["StreamNames"], "GET /streams")

    batch_dump, stream_dump = tmp_path / "drawn-batch", tmp_path / "drawn-stream"
    out = emulate("--source", db, "--url", srv.url, "--mode", "batch", "--count", 500,
                  "--seed", 1, "--topic-template", topic_tmpl, "--concurrency", 8, "--per-request", 7,
                  "--dump", batch_dump)
    assert "posted 1500, acknowledged 1500, failed 0" in out
    # Stream: half the posts one record a request (PutRecord), half batched (PutRecords).
    out = emulate("--source", db, "--url", srv.url, "--mode", "stream", "--count", 250,
                  "--seed", 2, "--stream-template", stream_tmpl, "--concurrency", 8,
                  "--dump", stream_dump / "single")
    assert "posted 750, acknowledged 750, failed 0" in out
    out = emulate("--source", db, "--url", srv.url, "--mode", "stream", "--count", 250,
                  "--seed", 3, "--stream-template", stream_tmpl, "--concurrency", 4,
                  "--per-request", 50,
                  "--data", "base64", "--dump", stream_dump / "batched")
    assert "posted 750, acknowledged 750, failed 0" in out
    # The server's own refusals: an unknown topic (404/40401) or stream
    # (ResourceNotFoundException) fails at once, never retried, and nothing lands.
    for mode, tmpl in (("batch", "--topic-template"), ("stream", "--stream-template")):
        proc = subprocess.run([sys.executable, "-m", "pinetl_pipeline.emulate", "--progress", "never",
                               "--source", str(db), "--url", srv.url, "--mode", mode,
                               "--count", "2", tmpl, "nowhere-{table}", "--summary-json",
                               str(tmp_path / "bad.json")], capture_output=True, text=True)
        assert proc.returncode == 1, proc.stdout + proc.stderr
        bad = json.loads((tmp_path / "bad.json").read_text())
        assert (bad["failed"], bad["retried"], bad["requests"]) == (6, 0, 6), bad
        err = "40401" if mode == "batch" else "ResourceNotFoundException"
        assert any(err in e for e in bad["errors"]), bad["errors"]
    assert srv.stop() == 0  # clean shutdown: in-flight requests finished, files flushed

    # Batch: the S3 sink layout loads into the same warehouse as the drawn records.
    sink = landing / "topics"
    for t in TABLES:
        files = list((sink / topic[t]).glob("partition=*/*.json"))
        assert files, f"no S3 sink objects for {topic[t]}"
        assert sum(f.read_bytes().count(b"\n") for f in files) == 500
    landed = warehouse(cli, tmp_path / "landed.db", {t: [sink] for t in TABLES})
    direct = warehouse(cli, tmp_path / "direct.db",
                       {t: [batch_dump / f"{t}.jsonl"] for t in TABLES})
    assert landed == direct
    assert all(len(landed[t]) > 300 for t in TABLES)  # distinct inds of 500 draws of 2,262

    # Stream: the logs hold exactly the posted records, sequence numbers 1, 2, ... per shard.
    logs_dir = tmp_path / "from-logs"
    logs_dir.mkdir()
    for t in TABLES:
        path = landing / "streams" / stream[t] / "shardId-000000000000.log"
        recs = read_stream_log(path)
        assert [s for s, _, _ in recs] == list(range(1, 501))
        assert {k for _, k, _ in recs} == {"partition-1"}
        sent = [json.loads(line) for part in ("single", "batched")
                for line in (stream_dump / part / f"{t}.jsonl").read_text().splitlines()]
        got = [json.loads(p) for _, _, p in recs]
        assert sorted(map(json.dumps, got)) == sorted(map(json.dumps, sent))
        (logs_dir / f"{t}.jsonl").write_bytes(b"".join(p + b"\n" for _, _, p in recs))
    from_logs = warehouse(cli, tmp_path / "logs.db",
                          {t: [logs_dir / f"{t}.jsonl"] for t in TABLES})
    drawn = warehouse(cli, tmp_path / "drawn-stream.db",
                      {t: [stream_dump / p / f"{t}.jsonl" for p in ("single", "batched")]
                       for t in TABLES})
    assert from_logs == drawn
