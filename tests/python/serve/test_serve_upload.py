"""pinetl serve --upload s3://bucket/prefix (issue 22 item 3; docs/s3.md "pinetl serve to a
bucket"): every rolled topic file is copied to the bucket under the S3 sink layout, after its
records were acknowledged from the local landing; an S3 outage keeps files pending without
touching acknowledgements, and a crash loses nothing (what is pending is found again on start).

Runs against the s3s-fs server of s3_fixtures.py (stopped and started again mid-test)."""
import json
import pathlib
import re
import subprocess
import time
import uuid

import pytest
import requests

from conftest import _cli_path
from test_serve_security import Serve, refused_start

pytestmark = pytest.mark.service  # starts pinetl serve and an S3 server

REST_JSON = "application/vnd.kafka.json.v2+json"
TOPIC = "t.pin"
FLUSH = 5
SAMPLE = json.loads((pathlib.Path(__file__).resolve().parents[2] / "data" / "real-sample" /
                     "pin.jsonl").read_text().splitlines()[0])


class Producer:
    """Posts pin records with distinct indexes; remembers every acknowledged one."""

    def __init__(self):
        self.next = 1
        self.acked = []

    def post(self, srv, n):
        recs = []
        for _ in range(n):
            recs.append({**SAMPLE, "index": self.next, "unique_id": str(uuid.uuid4())})
            self.next += 1
        r = requests.post(f"{srv.url}/topics/{TOPIC}", data=json.dumps(
            {"records": [{"value": v} for v in recs]}), headers={"Content-Type": REST_JSON},
            timeout=30)
        assert r.status_code == 200, (r.status_code, r.text)
        assert all("error_code" not in o or o["error_code"] is None
                   for o in r.json()["offsets"]), r.text
        self.acked += [v["index"] for v in recs]


def rolled(landing):
    """Rolled files of the topic: {key below the landing: bytes}."""
    part = landing / "topics" / TOPIC / "partition=0"
    return {f"topics/{TOPIC}/partition=0/{p.name}": p.read_bytes()
            for p in sorted(part.glob("*.json"))} if part.is_dir() else {}


def bucket_objects(bucket, prefix, landing):
    """The bucket's objects for the landing's rolled files ({key below prefix: bytes}), fetched by
    their exact keys; None while the bucket holds a different number of objects under prefix.
    (Listed keys are only counted: s3s-fs 0.14.1 lists '+' as a space to boto3, docs/s3.md.)"""
    want = rolled(landing)
    if len(bucket.keys(prefix + "/")) != len(want):
        return None
    return {k: bucket.client.get_object(Bucket=bucket.name, Key=f"{prefix}/{k}")["Body"].read()
            for k in want}


def wait_for(what, check, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    assert check(), what


def metric(srv, name):
    text = requests.get(f"{srv.url}/metrics", timeout=10).text
    m = re.search(rf"^{re.escape(name)} (\S+)$", text, re.M)
    assert m, (name, text)
    return float(m.group(1))


def test_serve_upload_rolls_to_bucket_through_outage_and_crash(s3_server, s3_bucket, tmp_path):
    landing = tmp_path / "landing"
    dest = s3_bucket.uri("land")
    args = ("--upload", dest, "--flush-size", FLUSH, "--rotate-interval-ms", 0)
    prod = Producer()

    # 1. Rolled files appear in the bucket under the layout's names, byte for byte.
    srv = Serve(tmp_path, *args)
    try:
        for _ in range(4):
            prod.post(srv, FLUSH)
        prod.post(srv, 1)  # a full file is rolled when the next record arrives
        wait_for("4 rolled files", lambda: len(rolled(landing)) == 4)
        wait_for("uploads", lambda: bucket_objects(s3_bucket, "land", landing) == rolled(landing))
        assert sorted(rolled(landing)) == [
            f"topics/t.pin/partition=0/t.pin+0+{o:010d}.json" for o in (0, 5, 10, 15)]
        assert metric(srv, 'pinetl_serve_uploads_total{result="ok"}') == 4
        assert metric(srv, "pinetl_serve_uploads_pending") == 0

        # 2. S3 down: acknowledgements go on, rolled files stay pending and are retried.
        s3_server.stop()
        prod.post(srv, FLUSH)
        prod.post(srv, FLUSH)
        wait_for("6 rolled files", lambda: len(rolled(landing)) == 6)
        wait_for("a failed upload",
                 lambda: metric(srv, 'pinetl_serve_uploads_total{result="error"}') >= 1)
        wait_for("2 pending", lambda: metric(srv, "pinetl_serve_uploads_pending") == 2)
        err = srv.stderr()
        assert re.search(r"upload of 's3://[^']+/land/topics/t\.pin/partition=0/"
                         r"t\.pin\+0\+00000000(20|25)\.json' failed \(kept, will retry\)", err), err
        assert s3_server.secret_key not in err
        s3_server.start()
        wait_for("uploads after the outage",
                 lambda: bucket_objects(s3_bucket, "land", landing) == rolled(landing), timeout=90)
        assert metric(srv, "pinetl_serve_uploads_pending") == 0

        # 3. kill -9 with files pending: the next start uploads them.
        s3_server.stop()
        prod.post(srv, FLUSH)
        prod.post(srv, FLUSH + 2)  # one more file rolled, 3 records left in the open file
        wait_for("8 rolled files", lambda: len(rolled(landing)) == 8)
    finally:
        srv.proc.kill()
        srv.stop()
    s3_server.start()
    assert len(s3_bucket.keys("land/")) == 6
    srv = Serve(tmp_path, *args)  # recovery rolls the open file too
    try:
        assert len(rolled(landing)) == 9
        wait_for("uploads after the crash",
                 lambda: bucket_objects(s3_bucket, "land", landing) == rolled(landing), timeout=90)
        prod.post(srv, 3)  # left open: the graceful stop rolls and uploads it
    finally:
        rc, err = srv.stop()
    assert rc == 0, err
    assert len(rolled(landing)) == 10
    assert bucket_objects(s3_bucket, "land", landing) == rolled(landing)

    # 4. Reading the bucket back gives every acknowledged record exactly once.
    out = subprocess.run([str(_cli_path()), "clean", "--table", "pin", "-q",
                          s3_bucket.uri("land", "topics", TOPIC)], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    key = "ind" if rows and "ind" in rows[0] else "index"
    assert sorted(r[key] for r in rows) == sorted(prod.acked)
    assert len(prod.acked) == 46



def test_serve_upload_refuses_a_bad_destination_at_start(s3_bucket, tmp_path, monkeypatch):
    """A destination that cannot work stops the server at start, saying why, without a secret."""
    rc, err = refused_start(tmp_path, "--upload", "s3://", host="127.0.0.1")
    assert rc != 0 and "s3://" in err, (rc, err)
    secret = s3_bucket.server.secret_key
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    rc, err = refused_start(tmp_path, "--upload", s3_bucket.uri("land"), host="127.0.0.1")
    assert rc != 0 and "AWS_ACCESS_KEY_ID" in err and secret not in err, (rc, err)


def test_serve_upload_sees_a_roll_into_a_quiet_folder(s3_bucket, tmp_path):
    """A partition folder with nothing pending for a while is not listed again until a file is
    rolled into it (upload.c); that roll is still found and uploaded."""
    landing = tmp_path / "landing"
    prod = Producer()
    srv = Serve(tmp_path, "--upload", s3_bucket.uri("q"), "--flush-size", FLUSH,
                "--rotate-interval-ms", 0)
    try:
        prod.post(srv, FLUSH + 1)
        wait_for("the first upload", lambda: bucket_objects(s3_bucket, "q", landing) ==
                 rolled(landing) and len(rolled(landing)) == 1)
        time.sleep(3)  # the folder is now older than the 2 s a listing must wait to be trusted
        prod.post(srv, FLUSH)
        assert len(rolled(landing)) == 2
        wait_for("the upload of the new roll", lambda: bucket_objects(s3_bucket, "q", landing) ==
                 rolled(landing), timeout=10)
    finally:
        rc, err = srv.stop()
    assert rc == 0, err
