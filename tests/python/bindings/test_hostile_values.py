"""Hostile values through the Python binding (issue 18 item 13): a bad record becomes a reject
with a reason and the call goes on; a bad argument is a pinetl exception (InvalidArgumentError,
a ValueError) with a clear message, never NUL-truncation, ArrowTypeError, UnicodeEncodeError,
UnicodeDecodeError, RecursionError or OverflowError."""
import json
import os

import pytest

import pinetl
from pinetl import spark as ps

LONE_SURROGATE = json.loads('"\\ud800"')


def _deep(depth):
    d = {"ind": 9}
    for _ in range(depth):
        d = {"x": d}
    return d


def test_read_json_refuses_a_nul_in_a_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a").write_text('{"ind": 1}\n')  # what the path cut at its NUL would name
    for path in ["a\x00b", b"a\x00b", ["a", "a\x00b"]]:
        with pytest.raises(pinetl.errors.InvalidArgumentError, match="NUL"):
            pinetl.read_json(path, "geo")
    with pytest.raises(pinetl.errors.InvalidArgumentError, match="NUL"):
        pinetl.clean_json('{"ind": 1}', "geo", source="x\x00y")
    with pytest.raises(pinetl.errors.InvalidArgumentError, match="NUL"):
        pinetl.Warehouse(str(tmp_path / "w\x00.db"))
    assert sorted(os.listdir(tmp_path)) == ["a"]


def test_dict_records_python_cannot_write_are_rejects():
    res = pinetl.clean_json([
        {"ind": 1, "country": b"\xff\xfe"},          # bytes that are not UTF-8
        _deep(5000),                                   # deeper than json.dumps can go
        {"ind": 3, "country": {1, 2}},                 # a value of a type JSON does not have
        {"ind": 4, "country": b"Chad"},                # UTF-8 bytes: a string
        7,                                             # a JSON value that is not an object
    ], "geo")
    assert list(res.rows["ind"]) == [4] and list(res.rows["country"]) == ["Chad"]
    assert list(res.rejects["line"]) == [1, 2, 3, 5]
    reasons = list(res.rejects["reason"])
    assert reasons[0] == "invalid_utf8", reasons
    assert all(r for r in reasons)
    assert "nested too deeply" in res.rejects["raw"][1]
    assert "set" in res.rejects["raw"][2]
    assert res.stats["read"] == 5 and res.stats["rejected"] == 4


def test_spark_clean_arrow_takes_mappings_and_lone_surrogates():
    rows, rejects = ps.clean_arrow([{"ind": 1, "country": "Chad"},
                                    '{"ind": 2, "country": "%s"}' % LONE_SURROGATE,
                                    {"ind": 3, "country": LONE_SURROGATE},
                                    _deep(3000)], "geo")
    assert rows.column("ind").to_pylist() == [1]
    assert rejects.num_rows == 3
    assert rejects.column("line").to_pylist() == [2, 3, 4]


def test_positions_and_lines_out_of_range_are_invalid_arguments(tmp_path):
    from pinetl import delta
    sink = delta.DeltaSink(str(tmp_path / "lake"), app_id="t")
    for bad in [2**70, -1, 1.5, "7", None, float("inf")]:
        with pytest.raises(pinetl.errors.InvalidArgumentError, match="version"):
            sink.write([{"ind": 1}], "geo", position=bad)
    assert not (tmp_path / "lake").exists()  # refused before any work
    assert sink.write([{"ind": 1, "country": "Chad"}, {"ind": 2, "country": b"\xff"}], "geo",
                      position=2**63 - 1) == (1, 1)
    with pytest.raises(pinetl.errors.InvalidArgumentError, match="first_line"):
        pinetl.clean_json('{"ind": 1}', "geo", first_line=2**70)
    with pytest.raises(pinetl.errors.InvalidArgumentError, match="first_line"):
        ps.clean_arrow(['{"ind": 1}'], "geo", first_line=-2**64)
