"""pinetl.arrow.read_json / clean_json: Arrow tables through the C Data Interface agree with the
CLI and with pinetl.read_json value for value (real sample, every envelope, the bad-input files), in both text
layouts (string_view into the mapped input, large_string copies), keep the batches' memory alive
on their own, and reach polars without copying."""
import base64
import gc
import json
import shutil

import polars as pl
import pyarrow as pa
import pytest

import pinetl
from compare import assert_same_rows, cli_rows, frame_rows
from conftest import ROOT, TABLES
from test_envelopes import CASES

DATA = ROOT / "tests" / "data"


def arrow_rows(table, name):
    """Rows of an Arrow table of cleaned rows as lists of plain values (compare.py's form)."""
    assert table.schema.names == [n for n, _ in pinetl.columns(name)]
    return [[row[n] for n in table.schema.names] for row in table.to_pylist()]


def cli_rejects(path):
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        raw = r["raw"].encode("utf-8") if "raw" in r else base64.b64decode(r["raw_base64"])
        out.append({"table": r["table"], "source": r["source"], "line": r["line"],
                    "offset": r["offset"], "reason": r["reason"], "message": r["message"],
                    "raw": raw})
    return out


STRINGS = ("string_view", "large_string")


def test_schemas():
    geo = pinetl.arrow.schema("geo")
    assert geo.names == ["ind", "country", "coordinates", "timestamp"]
    assert geo.field("ind").type == pa.int64() and not geo.field("ind").nullable
    assert geo.field("country").type == pa.large_string() and geo.field("country").nullable
    assert geo.field("coordinates").type == pa.list_(pa.float64(), 2)
    assert geo.field("timestamp").type == pa.timestamp("us", tz="UTC")
    for table in TABLES:
        kinds = {"int64": pa.int64(), "text": pa.large_string(),
                 "timestamp": pa.timestamp("us", tz="UTC"), "coords": pa.list_(pa.float64(), 2)}
        assert [(f.name, f.type) for f in pinetl.arrow.schema(table)] == \
            [(n, kinds[k]) for n, k in pinetl.columns(table)]
        views = pinetl.arrow.view_schema(table)
        assert [(f.name, f.type) for f in views] == \
            [(n, pa.string_view() if k == "text" else kinds[k]) for n, k in pinetl.columns(table)]
    rej = pinetl.arrow.rejects_schema()
    assert rej.names == pinetl.REJECT_COLUMNS
    assert rej.field("raw").type == pa.large_binary()


@pytest.mark.parametrize("strings", STRINGS)
@pytest.mark.parametrize("table", TABLES)
def test_real_sample_equals_the_cli_and_read_json(cli, sample, table, strings):
    res = pinetl.arrow.read_json(sample(table), table, strings=strings)
    schema = pinetl.arrow.view_schema(table) if strings == "string_view" else \
        pinetl.arrow.schema(table)
    assert res.rows.schema == schema
    res.rows.validate(full=True)
    expected = cli_rows(cli("clean", "--table", table, sample(table)).stdout, table)
    assert len(expected) > 2000
    assert_same_rows(arrow_rows(res.rows, table), expected)
    assert_same_rows(arrow_rows(res.rows, table),
                     frame_rows(pinetl.read_json(sample(table), table).rows, table))
    assert res.stats["read"] == res.rows.num_rows + res.rejects.num_rows
    assert res.stats["cleaned"] == res.rows.num_rows


@pytest.mark.parametrize("strings", STRINGS)
@pytest.mark.parametrize("table, name", CASES)
def test_envelopes_and_bad_input_equal_the_cli(cli, tmp_path, table, name, strings):
    path = DATA / name
    rejects = tmp_path / "rejects.jsonl"
    out = cli("clean", "--table", table, "--rejects", rejects, "-q", path).stdout
    res = pinetl.arrow.read_json(path, table, strings=strings)
    res.rows.validate(full=True)
    assert_same_rows(arrow_rows(res.rows, table), cli_rows(out, table))
    assert res.rejects.to_pylist() == cli_rejects(rejects)
    assert res.stats["read"] == res.rows.num_rows + res.rejects.num_rows > 0
    # and the pandas path, reject for reject (raw: str there when it is UTF-8)
    pd_rejects = pinetl.read_json(path, table).rejects.values.tolist()
    assert [list(r.values()) for r in res.rejects.to_pylist()] == \
        [r[:-1] + [r[-1].encode("utf-8") if isinstance(r[-1], str) else r[-1]] for r in pd_rejects]


@pytest.mark.parametrize("strings", STRINGS)
def test_small_batches_many_threads_same_table(sample, strings):
    whole = pinetl.arrow.read_json(sample("pin"), "pin", strings=strings)
    small = pinetl.arrow.read_json(sample("pin"), "pin", batch_bytes=32 * 1024, threads=2,
                              strings=strings)
    assert small.rows.column("ind").num_chunks > 5
    assert small.rows.equals(whole.rows)


@pytest.mark.parametrize("table", TABLES)
def test_string_views_equal_large_strings(sample, table):
    views = pinetl.arrow.read_json(sample(table), table, batch_bytes=16 * 1024)
    copies = pinetl.arrow.read_json(sample(table), table, batch_bytes=16 * 1024,
                               strings="large_string")
    assert views.rows.cast(copies.rows.schema).equals(copies.rows)
    assert views.rejects.equals(copies.rejects)
    assert views.stats == copies.stats


def test_string_views_outlive_the_file_they_point_into(sample, tmp_path):
    # The mapping keeps the file's pages: removing the file does not take the texts away.
    path = tmp_path / "pin.jsonl"
    shutil.copy(sample("pin"), path)
    res = pinetl.arrow.read_json(path, "pin", batch_bytes=16 * 1024)
    expected = pinetl.arrow.read_json(sample("pin"), "pin", strings="large_string").rows
    path.unlink()
    gc.collect()
    assert res.rows.cast(expected.schema).equals(expected)


def test_strings_must_be_an_arrow_text_layout(sample):
    with pytest.raises(ValueError, match="large_string, string_view"):
        pinetl.arrow.read_json(sample("geo"), "geo", strings="utf8")


def test_rows_outlive_the_reader_and_other_tables(sample):
    # The table holds the batches themselves: nothing else keeps them alive.
    rows = pinetl.arrow.read_json(sample("user"), "user", batch_bytes=16 * 1024).rows
    expected = arrow_rows(rows, "user")
    for table in TABLES:            # reuse of freed memory would show here (and under ASan)
        pinetl.arrow.read_json(sample(table), table, batch_bytes=16 * 1024)
    gc.collect()
    assert arrow_rows(rows, "user") == expected
    assert rows.column("user_name").chunk(0).buffers()[2] is not None


def test_timestamps_beyond_datetime64_ns():
    # Arrow's timestamp[us] holds years 1..9999: nothing becomes null, unlike datetime64[ns].
    res = pinetl.arrow.clean_json(b'{"ind": 1, "timestamp": "2500-01-01 00:00:00"}\n'
                                  b'{"ind": 2, "timestamp": "1600-06-01 12:00:00"}\n', "geo")
    ts = res.rows.column("timestamp").to_pylist()
    assert [t.year for t in ts] == [2500, 1600]
    assert res.rows.column("timestamp").null_count == 0


def test_clean_arrow_from_a_column_of_json_text(sample):
    lines = sample("pin").read_bytes().decode("utf-8").splitlines()
    values = pa.array(lines[:500] + [None, "{\"index\": \"x\"}", "[]"] + lines[500:1000])
    res = pinetl.arrow.clean_json(values, "pin")
    plain = pinetl.arrow.clean_json("\n".join(lines[:1000]) + "\n", "pin")
    assert res.rows.equals(plain.rows)
    assert res.rejects.column("reason").to_pylist() == ["invalid_json", "bad_key", "not_an_object"]
    assert res.rejects.column("line").to_pylist() == [501, 502, 503]
    assert res.stats["read"] == 1003
    # a chunked string_view column (what polars hands over) gives the same
    chunked = pa.chunked_array([values.slice(0, 400), values.slice(400)]).cast(pa.string_view())
    again = pinetl.arrow.clean_json(chunked, "pin")
    assert again.rows.equals(res.rows)
    assert again.rejects.column("line").to_pylist() == [501, 502, 503]
    with pytest.raises(TypeError, match="string or binary"):
        pinetl.arrow.clean_json(pa.array([1, 2]), "pin")


def test_polars_takes_string_views_as_they_are(sample):
    # polars' strings are views too: every buffer of a text column, the views and the mapped
    # input they point into, is shared, not copied.
    res = pinetl.arrow.read_json(sample("pin"), "pin")
    df = pl.from_arrow(res.rows, rechunk=False)
    for name, kind in pinetl.columns("pin"):
        if kind != "text":
            continue
        # (an empty buffer has no address to share: polars points it anywhere)
        ours = [b.address for b in res.rows.column(name).chunk(0).buffers()[1:] if b.size]
        theirs = [b.address for b in pa.chunked_array(df[name]).chunk(0).buffers()[1:] if b.size]
        assert ours == theirs and len(ours) >= 2, name
    assert arrow_rows(df.to_arrow().cast(res.rows.schema), "pin") == arrow_rows(res.rows, "pin")


def test_polars_takes_the_columns_without_copying(sample):
    for table in ("geo", "pin"):
        res = pinetl.arrow.read_json(sample(table), table, strings="large_string")
        assert res.rows.column("ind").num_chunks == 1   # one batch: one buffer per column
        df = pl.from_arrow(res.rows, rechunk=False)
        assert df.height == res.rows.num_rows
        assert arrow_rows(df.to_arrow().cast(res.rows.schema), table) == arrow_rows(res.rows, table)
        for name, kind in pinetl.columns(table):
            ours = res.rows.column(name).chunk(0)
            theirs = pa.chunked_array(df[name]).chunk(0)
            if kind in ("int64", "timestamp"):
                assert theirs.buffers()[1].address == ours.buffers()[1].address, name
            elif kind == "coords":
                assert theirs.values.buffers()[1].address == ours.values.buffers()[1].address
            else:
                # polars' strings are views; the longer ones point into pinetl's own text bytes
                # (inside the same memory: polars may start its buffer at the first long text)
                blob = ours.buffers()[2]
                inside = [b for b in theirs.buffers()[2:] if b is not None and
                          blob.address <= b.address < blob.address + blob.size]
                if any(len(v.encode()) > 12 for v in ours.to_pylist() if v is not None):
                    assert inside, name
