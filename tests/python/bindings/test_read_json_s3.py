"""pinetl.read_json and pinetl.arrow.read_json read s3:// URIs through C (the library's reader
and its S3 client, docs/s3.md), with the standard AWS environment: an S3-sink landing in a bucket
of a real S3-compatible server (s3s-fs on loopback, scripts/s3_server.sh) gives the same frame as
the same tree in a local folder, one object the same as its file, and a wrong secret raises
an error naming the URI and SignatureDoesNotMatch without the secret."""
import sys

import pytest

import pinetl
import pinetl.arrow
from conftest import ROOT, SAMPLE

sys.path.insert(0, str(ROOT / "tests" / "cli"))
from s3_util import S3Server, sink_tree, write_tree  # noqa: E402  (the CLI tests' S3 helpers)

pytestmark = pytest.mark.service  # starts a server


@pytest.fixture(scope="module")
def landing(tmp_path_factory):
    """(server, local folder): the sample's pin records as an S3-sink tree in both."""
    tmp = tmp_path_factory.mktemp("s3")
    server = S3Server(str(tmp / "s3"))
    try:
        server.make_bucket("landing")
        objects = sink_tree("pin", (SAMPLE / "pin.jsonl").read_bytes().splitlines(True))
        write_tree(str(tmp / "local"), objects)
        for key, data in objects.items():
            server.put("landing", "land/" + key, data)
        yield server, tmp / "local"
    finally:
        server.stop()


@pytest.fixture
def aws_env(landing, monkeypatch):
    server = landing[0]
    for k, v in server.env().items():
        if k.startswith("AWS_"):
            monkeypatch.setenv(k, v)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    return server


def test_read_json_s3_landing_equals_local(landing, aws_env):
    local = pinetl.read_json(landing[1], "pin")
    remote = pinetl.read_json("s3://landing/land", "pin")
    assert len(remote.rows) == len(local.rows) > 2000
    assert remote.rows.equals(local.rows)
    assert remote.stats == local.stats
    one = "topics/p.pin/partition=1/p.pin+1+0000000000.json"
    assert pinetl.read_json("s3://landing/land/" + one, "pin").rows.equals(
        pinetl.read_json(landing[1] / one, "pin").rows)
    table = pinetl.arrow.read_json("s3://landing/land/topics", "pin")
    assert table.rows.num_rows == len(local.rows)


def test_read_json_s3_wrong_secret(aws_env, monkeypatch):
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "WRONGsecretXYZ")
    with pytest.raises(pinetl.errors.PinetlIOError) as e:
        pinetl.read_json("s3://landing/land", "pin")
    assert "SignatureDoesNotMatch" in str(e.value) and "s3://landing/land" in str(e.value)
    assert "WRONGsecretXYZ" not in str(e.value) and aws_env.secret not in str(e.value)
