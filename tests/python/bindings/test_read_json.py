"""pinetl.read_json on the real sample equals the CLI's cleaning, value for value."""
import json

import pytest

import pinetl
from compare import assert_same_rows, cli_rows, frame_rows

TABLES = ("pin", "geo", "user")


def cli_clean(cli, table, path):
    return cli("clean", "--table", table, path).stdout


@pytest.mark.parametrize("table", TABLES)
def test_read_json_equals_the_cli_on_the_real_sample(cli, sample, table):
    res = pinetl.read_json(sample(table), table)
    expected = cli_rows(cli_clean(cli, table, sample(table)), table)
    assert_same_rows(frame_rows(res.rows, table), expected)
    lines = sum(1 for line in open(sample(table), "rb") if line.strip())
    assert res.stats["read"] == lines == len(res.rows) + len(res.rejects)


@pytest.mark.parametrize("table", TABLES)
def test_batches_and_threads_do_not_change_the_result(sample, table):
    one = pinetl.read_json(sample(table), table, threads=1)
    many = pinetl.read_json(sample(table), table, threads=2, batch_bytes=16 * 1024)
    assert frame_rows(one.rows, table) == frame_rows(many.rows, table)
    assert one.rejects.equals(many.rejects)


def test_several_inputs_are_read_in_order(sample, tmp_path):
    lines = open(sample("pin"), "rb").read().splitlines(keepends=True)
    (tmp_path / "a.jsonl").write_bytes(b"".join(lines[:100]))
    (tmp_path / "b.json").write_bytes(
        b"[" + b",".join(line.strip() for line in lines[100:150]) + b"]")
    whole = pinetl.clean_json(b"".join(lines[:150]), "pin")
    parts = pinetl.read_json([tmp_path / "a.jsonl", str(tmp_path / "b.json")], "pin")
    assert parts.stats["read"] == 150
    assert frame_rows(parts.rows, "pin") == frame_rows(whole.rows, "pin")


def test_rejects_carry_source_line_and_reason(tmp_path):
    path = tmp_path / "geo.jsonl"
    path.write_bytes(b'{"ind": 1, "country": "Chad"}\n{"ind": 2,\n{"ind": "x"}\n[3]\n')
    res = pinetl.read_json(path, "geo")
    assert list(res.rows["ind"]) == [1]
    rej = res.rejects
    assert list(rej["line"]) == [2, 3, 4]
    assert list(rej["reason"]) == ["invalid_json", "bad_key", "not_an_object"]
    assert set(rej["source"]) == {str(path)}
    assert all(rej["message"].str.len() > 0)
    assert res.stats["read"] == 4


def test_s3_sink_directory(tmp_path, sample):
    # topics/<prefix>.<table>/partition=<n>/<prefix>.<table>+<n>+<offset>.json
    lines = open(sample("user"), "rb").read().splitlines(keepends=True)
    for part, chunk in ((0, lines[:10]), (1, lines[10:25])):
        d = tmp_path / "topics" / "abc.user" / f"partition={part}"
        d.mkdir(parents=True)
        (d / f"abc.user+{part}+0000000000.json").write_bytes(b"".join(chunk))
    res = pinetl.read_json(tmp_path, "user")
    assert res.stats["read"] == 25
    expected = pinetl.clean_json(b"".join(lines[:25]), "user").rows
    assert frame_rows(res.rows, "user") == frame_rows(expected, "user")


def test_stats_match_the_rows(sample):
    res = pinetl.read_json(sample("geo"), "geo")
    assert res.stats["cleaned"] == len(res.rows)
    assert res.stats["rejected"] == len(res.rejects)
    json.dumps(res.stats)  # plain data
