"""Text columns survive the way read_json builds them: repeated texts come from a dictionary,
mostly distinct ones one str per row, and a column may change way mid-run. Whatever the
way, every value equals the CLI's, including texts holding NUL, non-ASCII texts, empty texts and
nulls."""
import json

import pytest

import pinetl
from compare import PANDAS_MAJOR, assert_same_rows, cli_rows, frame_rows

ODD_TEXTS = ["", "a\u0000b", "\u0000", "caf\u00e9", "\U0001f600 smile", "\u65e5\u672c", "x"]


def _pin(i, title, category):
    return {"index": i, "unique_id": f"id-{i}", "title": title, "description": None,
            "poster_name": "User Info Error" if i % 7 == 0 else f"poster {i % 5}",
            "follower_count": "26k", "tag_list": "a,b", "is_image_or_video": "image",
            "image_src": f"https://i.example/{i}.jpg", "downloaded": 1,
            "save_location": f"Local save in /data/{category}", "category": category}


def _lines(n):
    out = []
    for i in range(n):
        if i % 997 == 5:
            out.append(b'{"index": "bad"}')   # a reject between cleaned rows
            continue
        if i < n // 3:
            title = ODD_TEXTS[i % len(ODD_TEXTS)]   # few distinct titles: a dictionary
        else:
            title = f"title {i} \u00e9" + ("\u0000" if i % 11 == 0 else "")  # all distinct
        out.append(json.dumps(_pin(i, title, ["diy", "\u00e9t\u00e9", "art"][i % 3]),
                              ensure_ascii=i % 2 == 0).encode())
    return b"\n".join(out) + b"\n"


@pytest.mark.parametrize("batch_bytes", [0, 64 * 1024])  # one batch of many rows; many batches
def test_dictionary_and_split_columns_equal_the_cli(cli, tmp_path, batch_bytes):
    path = tmp_path / "pin.jsonl"
    path.write_bytes(_lines(12000))
    res = pinetl.read_json(path, "pin", batch_bytes=batch_bytes)
    expected = cli_rows(cli("clean", "--table", "pin", path).stdout, "pin")
    assert_same_rows(frame_rows(res.rows, "pin"), expected)
    assert res.stats["read"] == 12000 == len(res.rows) + len(res.rejects)
    titles = set(res.rows["title"].dropna())
    assert set(ODD_TEXTS[1:]) <= titles  # the odd ones made it through the dictionary
    assert "title 11000 \u00e9\u0000" in titles  # and through one str per row
    assert res.rows["description"].isna().all()


def test_clean_json_takes_the_same_ways(tmp_path):
    data = _lines(6000)
    path = tmp_path / "pin.jsonl"
    path.write_bytes(data)
    whole = pinetl.clean_json(data, "pin")
    batched = pinetl.read_json(path, "pin", batch_bytes=16 * 1024)
    assert frame_rows(whole.rows, "pin") == frame_rows(batched.rows, "pin")


def test_repeated_texts_share_one_object(tmp_path):
    path = tmp_path / "pin.jsonl"
    path.write_bytes(_lines(9000))
    rows = pinetl.read_json(path, "pin", batch_bytes=16 * 1024).rows
    if PANDAS_MAJOR < 3:
        # An object column: three categories are three str objects, however many rows and
        # batches.
        assert len({id(v) for v in rows["category"].tolist()}) == 3
    else:
        # pandas 3's "str" column holds the texts themselves (Arrow), no str object per row.
        assert rows["category"].dtype == "str" and rows["category"].nunique() == 3
    assert len(set(rows["unique_id"])) == len(rows)


def _c_layout(texts):
    """texts (str or None) -> (data, int64 offsets, validity bitmap) as C pointers and their
    owners."""
    import numpy as np
    from pinetl._ffi import ffi
    raw = [t.encode("utf-8") if isinstance(t, str) else (t or b"") for t in texts]
    offsets = np.zeros(len(raw) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in raw], out=offsets[1:])
    bits = np.packbits(np.array([t is not None for t in texts]), bitorder="little")
    data = b"".join(raw) or b"\0"
    return (ffi.from_buffer(data), ffi.from_buffer("int64_t[]", offsets),
            ffi.from_buffer("uint8_t[]", bits), (data, offsets, bits))


def test_texts_made_in_c_equal_python_decoding():
    from pinetl import _columns
    texts = ODD_TEXTS + [None, "last", None]
    data, offsets, validity, _keep = _c_layout(texts)
    out = _columns._c_texts(data, offsets, validity, len(texts))
    assert out.tolist() == texts
    assert _columns._c_texts(data, offsets, validity, 0).tolist() == []


def test_texts_made_in_c_refuse_bad_utf8():
    from pinetl import _columns
    data, offsets, validity, _keep = _c_layout(["ok", b"\xff\xfe", "fine"])
    assert _columns._c_texts(data, offsets, validity, 3) is None


def test_gather_shares_objects_and_checks_indexes():
    import sys

    import numpy as np
    from pinetl import _columns
    diy = "".join(["d", "iy"])   # not interned: only this test holds it
    table = np.array([None, diy, "art"], dtype=object)
    before = sys.getrefcount(diy)
    rows = np.array([1, 2, 1, 0, 1], dtype=np.int32)
    out = _columns._gather(table, rows)
    assert sys.getrefcount(diy) == before + 3   # one reference per row that names it
    assert out.tolist() == ["diy", "art", "diy", None, "diy"]
    assert out[0] is diy
    del out
    assert sys.getrefcount(diy) == before
    with pytest.raises(IndexError):
        _columns._gather(table, np.array([0, 3], dtype=np.int32))
    with pytest.raises(IndexError):
        _columns._gather(table, np.array([-1], dtype=np.int32))
