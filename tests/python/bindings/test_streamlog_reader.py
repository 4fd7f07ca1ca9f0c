"""pinetl.streamlog: the Python reader of the stream logs (through the C API) and the bridge to
the Kinesis-shaped files of Spark's file source, on logs written here through the C writer."""
import base64
import json
import os

import pytest

from pinetl import streamlog
from pinetl._errors import NotFoundError
from pinetl._ffi import check, ffi, lib


class Writer:
    """A stream log writer through the C API (what `pinetl serve` uses)."""

    def __init__(self, path):
        out = ffi.new("pinetl_streamlog **")
        check(lib.pinetl_streamlog_open(out, os.fsencode(path), 0))
        self.log = out[0]

    def append(self, recs):
        arr = ffi.new("pinetl_streamlog_record[]", len(recs))
        keep = []
        for i, (key, data) in enumerate(recs):
            k, d = ffi.from_buffer(key), ffi.from_buffer(data)
            keep += [k, d]
            arr[i].key, arr[i].key_len = ffi.cast("const char *", k), len(key)
            arr[i].data, arr[i].data_len = ffi.cast("const char *", d), len(data)
        first = ffi.new("uint64_t *")
        check(lib.pinetl_streamlog_append(first, self.log, arr, len(recs)))
        return first[0]

    def close(self):
        lib.pinetl_streamlog_free(self.log)


def payloads(n, start=0):
    return [(f"k{i % 3}".encode(), json.dumps({"index": i, "x": "é" * (i % 5)}).encode())
            for i in range(start, start + n)]


def test_reader_reads_tails_and_resumes(tmp_path):
    path = tmp_path / "streams" / "s-pin" / "shardId-000000000000.log"
    w = Writer(path)
    assert w.append(payloads(5)) == 1
    with streamlog.Reader(path) as r:
        got = list(r)
        assert got == [(i + 1, f"k{i % 3}", d) for i, (_, d) in enumerate(payloads(5))]
        assert list(r) == []                         # at the end: nothing until more arrives
        assert (r.seq, r.behind()) == (5, 0)
        offset = r.offset
        w.append(payloads(3, 5))
        recs = list(r.records())
        assert [x.seq for x in recs] == [6, 7, 8] and recs[0].offset == offset
        assert all(x.arrival_us > 0 for x in recs)
    # A torn tail (half a record) is never returned; the records before it are.
    with open(path, "ab") as f:
        f.write(b"PSL1" + b"\x00" * 10)
    assert [s for s, _, _ in streamlog.read(path, after_seq=6)] == [7, 8]
    with streamlog.Reader(path, 7, offset=None) as r, streamlog.Reader(path, 2) as r2:
        assert [x.seq for x in r.records()] == [8]
        assert [x.seq for x in r2.records(limit=2)] == [3, 4] and r2.seq == 4
    with streamlog.Reader(path, 3, offset=recs[0].offset) as r:   # a wrong hint: scanned
        assert [s for s, _, _ in r][0] == 4
    w.close()
    with pytest.raises(NotFoundError):
        streamlog.Reader(tmp_path / "nowhere.log")
    r = streamlog.Reader(path)
    r.close()
    with pytest.raises(ValueError):
        list(r)


def test_bridge_copies_only_new_records_and_survives_a_lost_position(tmp_path):
    landing, out = tmp_path / "landing", tmp_path / "kinesis"
    logs = {s: Writer(landing / "streams" / s / "shardId-000000000000.log")
            for s in ("streaming-p-pin", "streaming-p-geo")}
    for s, w in logs.items():
        w.append(payloads(25))
    assert streamlog.to_kinesis_files(landing, out, max_records=10) == \
        {("streaming-p-geo", "shardId-000000000000"): 25,
         ("streaming-p-pin", "shardId-000000000000"): 25}
    folder = out / "streaming-p-pin"
    assert sorted(os.listdir(folder)) == [
        "_pinetl_positions.json", "shardId-000000000000-000000000000000000001.json",
        "shardId-000000000000-000000000000000000011.json",
        "shardId-000000000000-000000000000000000021.json"]
    assert list((out / ".staging").iterdir()) == []
    assert set(streamlog.to_kinesis_files(landing, out).values()) == {0}   # nothing new
    logs["streaming-p-pin"].append(payloads(4, 25))
    # A crash after a rename, before the position was saved: the files themselves say where.
    saved = json.loads((folder / "_pinetl_positions.json").read_text())
    (folder / "_pinetl_positions.json").write_text(json.dumps(
        {k: [v[0] - 10, None] for k, v in saved.items()}))
    assert streamlog.to_kinesis_files(landing, out, streams={"streaming-p-pin"}) == \
        {("streaming-p-pin", "shardId-000000000000"): 4}
    lines = [json.loads(line) for f in sorted(folder.glob("shardId-*.json"))
             for line in f.read_text("utf-8").splitlines()]
    assert [int(x["sequenceNumber"]) for x in lines] == list(range(1, 30))
    assert all(len(x["sequenceNumber"]) == 21 for x in lines)
    assert [base64.b64decode(x["data"]) for x in lines] == [d for _, d in payloads(29)]
    assert [x["partitionKey"] for x in lines] == [k.decode() for k, _ in payloads(29)]
    assert {x["streamName"] for x in lines} == {"streaming-p-pin"}
    assert all(x["approximateArrivalTimestamp"].endswith("Z") for x in lines)
    for w in logs.values():
        w.close()
