"""Landing folders for the daily chain's tests (the DAG, the runner, the report), and a snapshot
of everything the chain writes, to prove that a re-run changes nothing."""
import hashlib
import json
import os
import shutil
import sqlite3

from conftest import SAMPLE

TABLES = ("pin", "geo", "user")

# Records every table's day 2 adds: one of each reject reason that a JSON-lines landing can
# produce, beside good records.
BAD_LINES = [b"not json at all", b'{"index": "12a", "ind": "12a"}', b"[1, 2]",
             b'{"index": 1, "title": "\xff\xfe"}']


def sample_lines(table):
    return [line for line in open(SAMPLE / f"{table}.jsonl", "rb").read().splitlines()
            if line.strip()]


def day_files(landing, day, lines_by_table):
    """<landing>/date=<day>/<table>.jsonl with the given lines."""
    folder = os.path.join(landing, f"date={day}")
    os.makedirs(folder, exist_ok=True)
    for table, lines in lines_by_table.items():
        with open(os.path.join(folder, f"{table}.jsonl"), "wb") as f:
            f.write(b"\n".join(lines) + b"\n")
    return folder


def day_s3_sink(landing, day, lines_by_table, prefix="0a1b2c", per_object=500):
    """<landing>/date=<day>/topics/<prefix>.<table>/partition=0/...: the Kafka Connect S3 sink
    layout, objects of per_object records."""
    folder = os.path.join(landing, f"date={day}")
    for table, lines in lines_by_table.items():
        topic = f"{prefix}.{table}"
        part = os.path.join(folder, "topics", topic, "partition=0")
        os.makedirs(part, exist_ok=True)
        for start in range(0, len(lines), per_object):
            with open(os.path.join(part, f"{topic}+0+{start:010d}.json"), "wb") as f:
                f.write(b"\n".join(lines[start:start + per_object]) + b"\n")
    return folder


def two_days(landing):
    """Day 1: the whole real sample as files. Day 2: a Kafka S3 sink copy of the sample's last
    600 records of each table, plus BAD_LINES (4 rejects per table)."""
    day_files(landing, "2024-01-01", {t: sample_lines(t) for t in TABLES})
    day_s3_sink(landing, "2024-01-02", {t: sample_lines(t)[-600:] + BAD_LINES for t in TABLES})
    return ["2024-01-01", "2024-01-02"]


def snapshot(warehouse, out):
    """Everything the chain leaves: the warehouse's tables (rows, sorted) and every file under
    out (sha256 of its bytes)."""
    state = {}
    con = sqlite3.connect(warehouse)
    try:
        names = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        for name in names:
            rows = con.execute(f'SELECT * FROM "{name}"').fetchall()
            state[f"table:{name}"] = sorted(repr(r) for r in rows)
    finally:
        con.close()
    for root, _, files in os.walk(out):
        for n in files:
            path = os.path.join(root, n)
            with open(path, "rb") as f:
                state[f"file:{os.path.relpath(path, out)}"] = hashlib.sha256(f.read()).hexdigest()
    return state


def copy_tree(src, dst):
    shutil.copytree(src, dst)
    return dst


def small_json(value, limit=4096):
    text = json.dumps(value)
    assert len(text) < limit, f"XCom of {len(text)} bytes: {text[:200]}..."
    return text
