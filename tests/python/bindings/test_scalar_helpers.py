"""The one-value helpers give the C rules' results (spec section 2)."""
import datetime

import pytest

import pinetl

UTC = datetime.timezone.utc


@pytest.mark.parametrize("text, expected", [
    ("26k", 26000), ("437", 437), ("1.5M", 1500000), (" 2b ", 2000000000), ("1.2345k", 1234),
    ("0.5", 0), (b"124k", 124000),
    ("User Info Error", None), ("1,000", None), ("+5", None), ("1.", None), (".5k", None),
    ("5kk", None), ("k", None), ("-3", None), ("", None),
])
def test_follower_count(text, expected):
    assert pinetl.scalar.follower_count(text) == expected


def test_follower_count_rejects_non_text():
    with pytest.raises(TypeError, match="follower_count must be str or bytes"):
        pinetl.scalar.follower_count(12)


@pytest.mark.parametrize("text, expected", [
    ("2020-08-28 03:52:47", datetime.datetime(2020, 8, 28, 3, 52, 47, tzinfo=UTC)),
    ("2020-08-28T03:52:47Z", datetime.datetime(2020, 8, 28, 3, 52, 47, tzinfo=UTC)),
    ("2020-08-28T04:52:47+01:00", datetime.datetime(2020, 8, 28, 3, 52, 47, tzinfo=UTC)),
    ("2020-08-28 03:52:47.1234567", datetime.datetime(2020, 8, 28, 3, 52, 47, 123456, tzinfo=UTC)),
    ("2020-02-29", datetime.datetime(2020, 2, 29, tzinfo=UTC)),
    (1598586767.25, datetime.datetime(2020, 8, 28, 3, 52, 47, 250000, tzinfo=UTC)),
    ("2019-02-29", None), ("2020-08-28 24:00:00", None), (" 2020-08-28", None), ("soon", None),
])
def test_parse_timestamp(text, expected):
    assert pinetl.scalar.parse_timestamp(text) == expected


def test_timestamp_round_trip_through_the_c_formatter():
    us = pinetl.scalar.timestamp_us("2020-08-28 03:52:47")
    assert pinetl.scalar.format_timestamp(us) == "2020-08-28T03:52:47Z"
    assert pinetl.scalar.format_timestamp(us + 5) == "2020-08-28T03:52:47.000005Z"
    assert pinetl.scalar.format_timestamp(
        pinetl.scalar.parse_timestamp("2020-08-28 03:52:47")) == \
        "2020-08-28T03:52:47Z"
    assert pinetl.scalar.timestamp_year(us) == 2020


@pytest.mark.parametrize("value, expected", [
    (25, 25), (25.0, 25), ("25", 25), (0, 0), (150, 150), (151, None), (-1, None),
    ("2 5", None), (25.5, None), (None, None),
])
def test_age(value, expected):
    assert pinetl.scalar.age(value) == expected


@pytest.mark.parametrize("age, group", [
    (18, "18-24"), (24, "18-24"), (25, "25-35"), (35, "25-35"), (36, "36-50"), (50, "36-50"),
    (51, "+50"), (17, None), (None, None),
])
def test_age_group(age, group):
    assert pinetl.scalar.age_group(age) == group


@pytest.mark.parametrize("value, expected", [
    (7528, 7528), (7528.0, 7528), (7.528e3, 7528), ("7528", 7528), ("-1", None), (" 7", None),
    ("12a", None), (True, None), (None, None), (2**63, None),
])
def test_key(value, expected):
    assert pinetl.scalar.key(value) == expected


def test_save_location():
    assert pinetl.scalar.save_location("Local save in /data/mens-fashion") == "/data/mens-fashion"
    assert pinetl.scalar.save_location("/data/x") == "/data/x"
    assert pinetl.scalar.save_location("Local save in ") is None


@pytest.mark.parametrize("value, text", [(1.0, "1.0"), (-89.9787, "-89.9787"), (1e-07, "1e-07"),
                                         (0.1 + 0.2, repr(0.1 + 0.2))])
def test_format_double(value, text):
    assert pinetl.scalar.format_double(value) == text


def test_tables_and_columns_come_from_the_library():
    assert pinetl.tables() == ["pin", "geo", "user"]
    assert pinetl.columns("geo") == [("ind", "int64"), ("country", "text"),
                                     ("coordinates", "coords"), ("timestamp", "timestamp")]
    assert pinetl.columns("user") == [("ind", "int64"), ("user_name", "text"), ("age", "int64"),
                                      ("date_joined", "timestamp")]
    assert [n for n, _ in pinetl.columns("pin")] == [
        "ind", "unique_id", "title", "description", "follower_count", "poster_name", "tag_list",
        "is_image_or_video", "image_src", "save_location", "category"]


def test_version_matches_the_library():
    assert pinetl.__version__ == pinetl.version()
    assert pinetl.version().count(".") == 2
