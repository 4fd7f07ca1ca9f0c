"""pinetl.clean_json: in-memory records in, cleaned rows and rejects out, one call into C."""
import base64
import json

import pandas as pd

import pinetl

PIN = {"index": 7528, "unique_id": "fbe53c66", "title": "No Title Data Available",
       "description": "Keep the kids busy", "poster_name": "Of Life & Lisa",
       "follower_count": "124k", "tag_list": "N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e",
       "is_image_or_video": "image", "image_src": "Image src error.", "downloaded": 1,
       "save_location": "Local save in /data/diy-and-crafts", "category": "diy-and-crafts"}


def test_jsonl_bytes_cleaned_and_rejected_with_positions():
    data = (json.dumps(PIN) + "\n" + '{"index": "12a"}\n' + "\n" + '{"index": 3, "title": "é"}\n')
    res = pinetl.clean_json(data.encode(), "pin", source="landing.jsonl")
    assert list(res.rows["ind"]) == [7528, 3]
    row = res.rows.iloc[0]
    assert pd.isna(row["title"]) and pd.isna(row["tag_list"]) and pd.isna(row["image_src"])
    assert row["follower_count"] == 124000
    assert row["save_location"] == "/data/diy-and-crafts"
    assert res.rows.iloc[1]["title"] == "é"
    assert len(res.rejects) == 1
    rej = res.rejects.iloc[0]
    assert rej["table"] == "pin" and rej["source"] == "landing.jsonl"
    assert rej["line"] == 2 and rej["offset"] == len(json.dumps(PIN)) + 1
    assert rej["reason"] == "bad_key" and "index" in rej["message"] and "12a" in rej["message"]
    assert rej["raw"] == '{"index": "12a"}'
    assert res.stats["read"] == 3 == res.stats["cleaned"] + res.stats["rejected"]


def test_str_and_bytes_give_the_same_result():
    data = json.dumps(PIN) + "\n"
    a = pinetl.clean_json(data, "pin")
    b = pinetl.clean_json(data.encode(), "pin")
    pd.testing.assert_frame_equal(a.rows, b.rows)


def test_iterable_of_records_one_row_per_record():
    records = [PIN, json.dumps({"index": 2, "category": "art"}), b'{"index": 3}', b"[1]", ""]
    res = pinetl.clean_json(iter(records), "pin")
    assert list(res.rows["ind"]) == [7528, 2, 3]
    assert res.rows.iloc[1]["category"] == "art"
    assert list(res.rejects["line"]) == [4, 5]
    assert list(res.rejects["reason"]) == ["not_an_object", "invalid_json"]
    assert len(res.rows) + len(res.rejects) == len(records)


def test_missing_values_of_mappings_are_nulls():
    res = pinetl.clean_json([{"index": 1, "title": float("nan"), "category": None}], "pin")
    assert res.rows["title"].isna().all() and res.rows["category"].isna().all()


def test_dtypes_and_column_order():
    geo = [{"ind": 1, "timestamp": "2020-08-28 03:52:47", "latitude": -89.9787,
            "longitude": "-173.965", "country": "Antarctica (the territory South of 60 deg S)"},
           {"ind": 2, "timestamp": "nope", "latitude": 100, "longitude": 0}]
    res = pinetl.clean_json(geo, "geo")
    assert list(res.rows.columns) == ["ind", "country", "coordinates", "timestamp"]
    assert str(res.rows["ind"].dtype) == "Int64"
    assert str(res.rows["timestamp"].dtype) == "datetime64[ns, UTC]"
    assert res.rows["coordinates"].dtype == object
    assert res.rows.iloc[0]["coordinates"] == [-89.9787, -173.965]
    assert res.rows.iloc[0]["timestamp"] == pd.Timestamp("2020-08-28T03:52:47Z")
    assert res.rows.iloc[1]["coordinates"] is None
    assert res.rows.iloc[1]["timestamp"] is pd.NaT
    # both nulls of row 2 were warnings: the values could not be cleaned
    assert res.stats["columns"]["coordinates"] == {"nulls": 1, "warnings": 1}
    assert res.stats["columns"]["timestamp"] == {"nulls": 1, "warnings": 1}


def test_user_columns():
    res = pinetl.clean_json([{"ind": 5, "first_name": "Ann", "last_name": "Lee",
                              "age": "40", "date_joined": "2016-01-02 03:04:05"},
                             {"ind": 6, "last_name": "Solo", "age": 200}], "user")
    assert list(res.rows["user_name"]) == ["Ann Lee", "Solo"]
    assert list(res.rows["age"].astype(object).where(res.rows["age"].notna(), None)) == [40, None]


def test_envelopes_are_unwrapped():
    rec = {"index": 11, "category": "travel"}
    kafka_rest = json.dumps({"records": [{"value": rec}, {"value": {"index": 12}}]})
    kinesis = json.dumps({"Records": [{"Data": base64.b64encode(json.dumps(rec).encode()).decode(),
                                       "PartitionKey": "p"}]})
    dump = json.dumps({"topic": "x.pin", "key": None, "value": rec, "partition": 0, "offset": 9})
    for data, inds in ((kafka_rest, [11, 12]), (kinesis, [11]), (dump, [11])):
        res = pinetl.clean_json(data, "pin")
        assert list(res.rows["ind"]) == inds, data
        assert res.rejects.empty


def test_not_utf8_raw_is_kept_as_bytes():
    res = pinetl.clean_json(b'{"index": 1, "title": "\xff"}\n', "pin")
    assert res.rows.empty
    rej = res.rejects.iloc[0]
    assert rej["reason"] == "invalid_utf8"
    assert rej["raw"] == b'{"index": 1, "title": "\xff"}'


def test_empty_input():
    res = pinetl.clean_json(b"", "user")
    assert res.rows.empty and res.rejects.empty
    assert list(res.rows.columns) == ["ind", "user_name", "age", "date_joined"]
    assert str(res.rows["date_joined"].dtype) == "datetime64[ns, UTC]"
    assert res.stats["read"] == 0
