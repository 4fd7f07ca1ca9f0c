"""pinetl.delta with deltalake (delta-rs, no JVM): append, merge by ind (the later record wins, as
the warehouse does), idempotent re-runs through application transactions, partitioning, rejects,
and the exactly-once stream sink."""
import datetime
import json
import pathlib

import deltalake
import pytest

import pinetl
from pinetl import delta
from spark_fixtures import cli_clean

ROOT = pathlib.Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "tests" / "data" / "real-sample"
MALFORMED = ROOT / "tests" / "data" / "io" / "malformed.jsonl"
TABLES = ("pin", "geo", "user")


def _ts(value):
    if value is None:
        return None
    form = "%Y-%m-%dT%H:%M:%S.%fZ" if value.microsecond else "%Y-%m-%dT%H:%M:%SZ"
    return value.astimezone(datetime.timezone.utc).strftime(form)


def delta_rows(uri):
    """The Delta table's rows as the CLI's JSON lines parse to, sorted by ind then content."""
    rows = deltalake.DeltaTable(str(uri)).to_pyarrow_table().to_pylist()
    for row in rows:
        for k, v in row.items():
            if isinstance(v, datetime.datetime):
                row[k] = _ts(v)
    return sorted(rows, key=lambda r: (r["ind"], json.dumps(r, sort_keys=True)))


def latest_per_ind(rows):
    """The CLI's rows reduced as the warehouse does: one per ind, the later one wins."""
    last = {}
    for r in rows:
        last[r["ind"]] = r
    return sorted(last.values(), key=lambda r: (r["ind"], json.dumps(r, sort_keys=True)))


def _sorted(rows):
    return sorted(rows, key=lambda r: (r["ind"], json.dumps(r, sort_keys=True)))


@pytest.mark.parametrize("table", TABLES)
def test_append_and_merge_equal_the_cli(cli, tmp_path, table):
    rows, rejects = cli_clean(cli, table, SAMPLE / f"{table}.jsonl", tmp_path)
    stats = delta.clean_to_delta(SAMPLE / f"{table}.jsonl", table, tmp_path / "append",
                                 mode="append")
    assert stats["read"] == 2262 and stats["cleaned"] == len(rows) and stats["written"]
    assert delta_rows(tmp_path / "append") == _sorted(rows)
    delta.clean_to_delta(SAMPLE / f"{table}.jsonl", table, tmp_path / "merge", mode="merge")
    merged = delta_rows(tmp_path / "merge")
    assert merged == latest_per_ind(rows)
    assert len(merged) == len({r["ind"] for r in rows}) < len(rows)   # the sample repeats inds


def test_merge_later_record_wins_across_runs_as_in_the_warehouse(tmp_path):
    first = [{"ind": 1, "country": "A", "latitude": 1, "longitude": 2,
              "timestamp": "2020-01-01 00:00:00"},
             {"ind": 2, "country": "B"}]
    second = [{"ind": 2, "country": "C"}, {"ind": 3, "country": "D"}, {"ind": 2, "country": "E"}]
    sink = delta.DeltaSink(tmp_path, "t", mode="merge")
    sink.write([json.dumps(r) for r in first], "geo", position=1)
    sink.write([json.dumps(r) for r in second], "geo", position=2)
    got = [(r["ind"], r["country"]) for r in delta_rows(tmp_path / "geo")]
    assert got == [(1, "A"), (2, "E"), (3, "D")]
    db = tmp_path / "wh.db"
    for i, batch in enumerate((first, second)):
        src = tmp_path / f"b{i}.jsonl"
        src.write_text("\n".join(json.dumps(r) for r in batch) + "\n")
        with pinetl.Warehouse(str(db)) as wh:
            wh.load(str(src), "geo")
    with pinetl.Warehouse(str(db)) as wh:
        warehouse = wh.query("SELECT ind, country FROM geo ORDER BY ind")
    assert [tuple(r) for r in warehouse.itertuples(index=False)] == got


def test_rerun_with_the_same_transaction_is_skipped(tmp_path):
    path = SAMPLE / "user.jsonl"
    uri = tmp_path / "user"
    s1 = delta.clean_to_delta(path, "user", uri, rejects_uri=tmp_path / "rej", mode="append",
                              app_id="daily-user", version=20200828)
    version = deltalake.DeltaTable(str(uri)).version()
    s2 = delta.clean_to_delta(path, "user", uri, rejects_uri=tmp_path / "rej", mode="append",
                              app_id="daily-user", version=20200828)
    assert (s1["written"], s1["rejects_written"]) == (True, True)
    assert (s2["written"], s2["rejects_written"]) == (False, False)
    dt = deltalake.DeltaTable(str(uri))
    assert dt.version() == version and dt.transaction_version("daily-user") == 20200828
    assert len(delta_rows(uri)) == s1["cleaned"]
    assert delta.committed_version(uri, "daily-user") == 20200828
    assert delta.committed_version(uri, "another-app") is None
    assert delta.clean_to_delta(path, "user", uri, mode="append", app_id="daily-user",
                                version=20200829)["written"]
    assert len(delta_rows(uri)) == 2 * s1["cleaned"]
    with pytest.raises(ValueError):
        delta.write(uri, "user", None, app_id="x")


def test_partitioned_by_a_column_the_user_picks(cli, tmp_path):
    rows, _ = cli_clean(cli, "pin", SAMPLE / "pin.jsonl", tmp_path)
    uri = tmp_path / "pin"
    delta.clean_to_delta(SAMPLE / "pin.jsonl", "pin", uri, mode="merge", partition_by="category")
    dt = deltalake.DeltaTable(str(uri))
    assert dt.metadata().partition_columns == ["category"]
    dirs = {p.name for p in uri.iterdir() if p.is_dir() and p.name != "_delta_log"}
    assert {f"category={c}" for c in {r["category"] for r in rows if r["category"]}} <= dirs
    assert delta_rows(uri) == latest_per_ind(rows)
    # A later merge into the partitioned table moves a row to its new partition.
    move = dict(latest_per_ind(rows)[0], category="pinetl-moved")
    delta.write(uri, "pin", pinetl.spark.clean_arrow([json.dumps(move)], "pin")[0], mode="merge")
    assert delta_rows(uri)[0]["category"] == "pinetl-moved"
    assert len(delta_rows(uri)) == len(latest_per_ind(rows))


def test_rejects_table_equals_the_cli_rejects(cli, tmp_path):
    _, rejects = cli_clean(cli, "pin", MALFORMED, tmp_path)
    stats = delta.clean_to_delta(MALFORMED, "pin", tmp_path / "pin",
                                 rejects_uri=tmp_path / "rejects")
    assert stats["rejected"] == len(rejects) == 7
    got = deltalake.DeltaTable(str(tmp_path / "rejects")).to_pyarrow_table().to_pylist()
    for r in got:
        r.pop("raw" if r["raw"] is None else "raw_base64")
    assert sorted(got, key=lambda r: r["line"]) == rejects


def test_stream_sink_is_exactly_once_across_a_restart(tmp_path):
    """A consumer appends batches at positions 1..6, "crashes" after committing rows but not
    rejects of batch 4, restarts from its oldest table position and replays: each table holds
    every record once."""
    lines = (SAMPLE / "pin.jsonl").read_bytes().splitlines()[:60]
    lines[7] = b'{"index": "bad"}'
    lines[33] = b"not json"
    batches = [lines[i:i + 10] for i in range(0, 60, 10)]

    once = delta.DeltaSink(tmp_path / "once", "stream:pin", mode="append")
    for pos, b in enumerate(batches, 1):
        once.write(b, "pin", position=pos)

    sink = delta.DeltaSink(tmp_path / "crash", "stream:pin", mode="append")
    for pos, b in enumerate(batches[:3], 1):
        sink.write(b, "pin", position=pos)
    rows, rej = pinetl.spark.clean_arrow(batches[3], "pin")
    delta.write(sink.uri("pin"), "pin", rows, mode="append", app_id="stream:pin", version=4)
    assert sink.position("pin") == 3          # rejects_pin is still at 3
    restarted = delta.DeltaSink(tmp_path / "crash", "stream:pin", mode="append")
    results = [restarted.write(b, "pin", position=pos)
               for pos, b in enumerate(batches, 1) if pos > restarted.position("pin")]
    assert results[0] == (None, 1)            # batch 4: rows already in, its reject now
    assert restarted.position("pin") == 6
    for name in ("pin", "rejects_pin"):
        a = deltalake.DeltaTable(str(tmp_path / "once" / name)).to_pyarrow_table().to_pylist()
        b = deltalake.DeltaTable(str(tmp_path / "crash" / name)).to_pyarrow_table().to_pylist()
        key = lambda r: json.dumps(r, sort_keys=True, default=str)  # noqa: E731
        assert sorted(map(key, a)) == sorted(map(key, b))
    assert len(deltalake.DeltaTable(str(tmp_path / "crash" / "pin")).to_pyarrow_table()) == 58
