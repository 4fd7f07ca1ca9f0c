"""pinetl-emulate's batch mode straight to Kafka (issue 12 item 3): `--kafka-bootstrap` produces
the drawn posts with pinetl_pipeline.kafka.Producer to a real broker (kafka_fixtures), the S3-sink consumer
lands the topics, and `pinetl load` of the landing folder equals `pinetl load` of the drawn
records (the emulator's --dump). A broker nobody listens on makes every record fail: exit 1."""
import json
import socket
import sqlite3
import subprocess
import sys

from kafka_fixtures import kafka_broker  # noqa: F401  (the fixture)
from pinetl_pipeline import source

TABLES = ("pin", "geo", "user")


def emulate(*args, expect=0):
    proc = subprocess.run([sys.executable, "-m", "pinetl_pipeline.emulate", "--progress", "never",
                           *map(str, args)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == expect, proc.stdout + proc.stderr
    return proc.stdout


def warehouse(cli, db, inputs):
    for t in TABLES:
        cli("load", "--db", db, "--table", t, "--quiet", *inputs[t])
    con = sqlite3.connect(db)
    out = {t: con.execute(f'SELECT * FROM "{t}" ORDER BY ind').fetchall() for t in TABLES}
    out["rejects"] = sorted(con.execute('SELECT "table", reason FROM rejects').fetchall())
    con.close()
    return out


def test_emulator_produces_straight_to_kafka(kafka_broker, tmp_path, cli):
    db = tmp_path / "source.db"
    source.build(db)
    prefix = kafka_broker.topic_prefix("emulate")
    dump, summary = tmp_path / "drawn", tmp_path / "summary.json"
    out = emulate("--source", db, "--mode", "batch", "--kafka-bootstrap", kafka_broker.bootstrap,
                  "--prefix", prefix, "--count", 400, "--seed", 5, "--dump", dump,
                  "--summary-json", summary)
    assert f"batch to Kafka {kafka_broker.bootstrap}: posted 1200, acknowledged 1200, failed 0" \
        in out, out
    s = json.loads(summary.read_text())
    assert (s["posted"], s["acknowledged"], s["failed"], s["requests"]) == (1200, 1200, 0, 1200)
    assert s["retried"] is None and s["kafka_bootstrap"] == kafka_broker.bootstrap
    assert 0 < s["latency_ms"]["p50"] <= s["latency_ms"]["p99"]

    landing = tmp_path / "landing"
    proc = subprocess.run([sys.executable, "-m", "pinetl_pipeline.kafka", "sink", "--bootstrap",
                           kafka_broker.bootstrap, "--landing", str(landing), "--prefix", prefix,
                           "--group", f"{prefix}-sink", "--flush-size", "150",
                           "--until-idle", "2", "--quiet"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    sink = json.loads(proc.stdout.strip().splitlines()[-1])
    assert sink["records"] == 1200
    for t in TABLES:
        files = sorted((landing / "topics" / f"{prefix}.{t}").glob("partition=*/*.json"))
        assert len(files) == 3                      # 400 records rolled every 150
        sent = (dump / f"{t}.jsonl").read_text("utf-8").splitlines()
        landed = [line for f in files for line in f.read_text("utf-8").splitlines()]
        # One producer, one partition: the topic holds the records in the order drawn; the
        # values are the REST proxy's compact form of the emulator's JSON.
        assert landed == [json.dumps(json.loads(r), separators=(",", ":"), ensure_ascii=False)
                          for r in sent]
    got = warehouse(cli, tmp_path / "landed.db", {t: [landing / "topics" / f"{prefix}.{t}"]
                                                 for t in TABLES})
    want = warehouse(cli, tmp_path / "direct.db", {t: [dump / f"{t}.jsonl"] for t in TABLES})
    assert got == want
    assert all(len(got[t]) > 250 for t in TABLES)   # distinct inds of 400 draws of 2,262


def test_emulator_counts_records_kafka_never_acknowledged(tmp_path):
    db = tmp_path / "source.db"
    source.build(db)
    with socket.socket() as s:                      # a free port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    summary = tmp_path / "summary.json"
    out = emulate("--source", db, "--kafka-bootstrap", f"127.0.0.1:{port}", "--count", 2,
                  "--timeout", 2, "--summary-json", summary, expect=1)
    assert "posted 6, acknowledged 0, failed 6" in out, out
    s = json.loads(summary.read_text())
    assert (s["posted"], s["acknowledged"], s["failed"]) == (6, 0, 6)
    assert s["latency_ms"] == {"p50": None, "p99": None}
    assert s["errors"], s


def test_emulator_kafka_options_are_checked(tmp_path):
    db = tmp_path / "source.db"
    source.build(db)
    for args in (["--mode", "stream", "--kafka-bootstrap", "127.0.0.1:1"],
                 ["--kafka-config", "linger.ms=1"],
                 ["--kafka-bootstrap", "127.0.0.1:1", "--kafka-config", "nokeyvalue"],
                 ["--kafka-bootstrap", "127.0.0.1:1", "--topic-template", "bad/{table}"]):
        proc = subprocess.run([sys.executable, "-m", "pinetl_pipeline.emulate", "--source", str(db),
                               *args], capture_output=True, text=True, timeout=60)
        assert proc.returncode == 2, (args, proc.stdout, proc.stderr)
