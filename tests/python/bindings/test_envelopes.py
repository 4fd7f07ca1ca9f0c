"""read_json takes every envelope and the S3 sink layout, and agrees with the CLI on both the
cleaned rows and the rejects (positions, reasons, messages, raw bytes)."""
import base64
import json

import pytest

import pinetl
from compare import assert_same_rows, cli_rows, frame_rows
from conftest import ROOT

DATA = ROOT / "tests" / "data"
CASES = [(t, f"envelopes/{t}.{kind}") for t in ("pin", "geo", "user")
         for kind in ("array.json", "kafka-dump.jsonl", "kafka-rest.jsonl", "kinesis.jsonl")] + \
        [(t, "envelopes/s3-sink") for t in ("pin", "geo", "user")] + [
    # bad input: malformed lines, broken bodies, envelopes without records, skipped files
    ("user", "io/array_pretty.json"), ("geo", "io/crlf.jsonl"), ("user", "io/kafka_dump.jsonl"),
    ("geo", "io/kafka_rest_pretty.json"), ("pin", "io/kinesis.jsonl"),
    ("pin", "io/malformed.jsonl"), ("pin", "io/unsplittable_array.json"),
    ("pin", "io/unsplittable_bodies.json"), ("pin", "io/s3-layout"), ("geo", "io/s3-layout")]


def _cli_rejects(path):
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        raw = r["raw"] if "raw" in r else base64.b64decode(r["raw_base64"])
        out.append([r["table"], r["source"], r["line"], r["offset"], r["reason"], r["message"], raw])
    return out


@pytest.mark.parametrize("table, name", CASES)
def test_envelope_equals_the_cli(cli, tmp_path, table, name):
    path = DATA / name
    rejects = tmp_path / "rejects.jsonl"
    out = cli("clean", "--table", table, "--rejects", rejects, "-q", path).stdout
    res = pinetl.read_json(path, table)
    assert_same_rows(frame_rows(res.rows, table), cli_rows(out, table))
    assert res.rejects.values.tolist() == _cli_rejects(rejects)
    assert res.stats["read"] == len(res.rows) + len(res.rejects) > 0


def test_bad_input_cases_do_have_rejects():
    # The reject comparison above is not vacuous: the io cases hold every reason but too_large.
    reasons = set()
    for table, name in CASES:
        if name.startswith("io/"):
            reasons |= set(pinetl.read_json(DATA / name, table).rejects["reason"])
    assert {"invalid_utf8", "invalid_json", "not_an_object", "bad_key", "bad_envelope"} <= reasons
