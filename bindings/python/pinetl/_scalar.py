"""One-value helpers: the C library's per-value rules (scalar.h), for notebooks, UDFs and tests.

Each returns None where the C rule yields null. Values that stand for JSON values (age, key) are
given as Python values and passed to C as their JSON text, so "25" (a string) and 25 differ exactly
as they do in a record."""
from __future__ import annotations

import datetime
import json

from ._ffi import as_bytes, c_string, check, ffi, lib, text
from ._types import Table

_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def version() -> str:
    """The C library's version, e.g. "0.1.0"."""
    return text(lib.pinetl_version()) or ""


def tables() -> list[str]:
    """The table names, in the library's order: ["pin", "geo", "user"]."""
    return [text(lib.pinetl_table_name(t)) or "" for t in range(lib.PINETL_TABLE_COUNT)]


def reject_reasons() -> tuple[str, ...]:
    """The reasons a record is rejected for, as C names them in a reject's `reason` (in code
    order: "invalid_utf8", "invalid_json", ...)."""
    return tuple(text(lib.pinetl_reject_name(c)) or "" for c in range(1, lib.PINETL_REJECT_CODES))


def table_id(table: Table) -> int:
    """A table name ("pin", "geo", "user") or number -> the C pinetl_table value."""
    if isinstance(table, int) and not isinstance(table, bool):
        if 0 <= table < lib.PINETL_TABLE_COUNT:
            return table
        raise ValueError(f"unknown table number {table}")
    out = ffi.new("pinetl_table *")
    check(lib.pinetl_table_from_name(out, c_string(table, "table")))
    t: int = out[0]
    return t


def columns(table: Table) -> list[tuple[str, str]]:
    """The cleaned columns of a table in the spec's order, as (name, type) pairs; type is one of
    "int64", "text", "coords", "timestamp"."""
    return table_columns(table_id(table))


def table_columns(t: int) -> list[tuple[str, str]]:
    """columns() of a C pinetl_table value (the binding converts a table name once per call)."""
    return [(text(lib.pinetl_column_name(t, c)) or "",
             text(lib.pinetl_type_name(lib.pinetl_column_type(t, c))) or "")
            for c in range(lib.pinetl_column_count(t))]


def follower_count(value: str | bytes) -> int | None:
    """follower_count from its text form: "26k" -> 26000, "1.5M" -> 1500000; None when null
    (sentinel, unparsable, negative, overflowing)."""
    data = as_bytes(value, "follower_count")
    out = ffi.new("int64_t *")
    return out[0] if lib.pinetl_follower_count(out, data, len(data)) else None


def timestamp_us(value: str | bytes | int | float) -> int | None:
    """A timestamp as int microseconds since the epoch (UTC), or None when not accepted.

    str/bytes are timestamp texts ("2020-08-28 03:52:47", ISO 8601 with zone, date only); an int or
    float is seconds since the epoch, as a JSON number in a record would be."""
    out = ffi.new("int64_t *")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        data = json.dumps(value).encode()
        return out[0] if lib.pinetl_timestamp_from_seconds(out, data, len(data)) else None
    data = as_bytes(value, "timestamp")
    return out[0] if lib.pinetl_timestamp_parse(out, data, len(data)) else None


def parse_timestamp(value: str | bytes | int | float) -> datetime.datetime | None:
    """Like timestamp_us, as an aware datetime.datetime in UTC (None when not accepted)."""
    us = timestamp_us(value)
    return None if us is None else _EPOCH + datetime.timedelta(microseconds=us)


def format_timestamp(value: int | datetime.datetime) -> str:
    """"YYYY-MM-DDTHH:MM:SSZ" (".ffffff" only when not zero) of int microseconds or a datetime
    (naive means UTC), exactly as the cleaned output writes it."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        delta = value - _EPOCH
        value = (delta.days * 86400 + delta.seconds) * 1000000 + delta.microseconds
    buf = ffi.new("char[]", lib.PINETL_TIMESTAMP_BUFSIZE)
    n = lib.pinetl_timestamp_format(buf, int(value))
    if n < 0:
        raise ValueError(f"timestamp {value} us is outside years 0001..9999")
    out: str = ffi.string(buf, n).decode("ascii")
    return out


def timestamp_year(us: int) -> int:
    """The UTC year of a timestamp in microseconds."""
    return lib.pinetl_timestamp_year(int(us))


def _json_value(value: object, what: str) -> bytes:
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value).decode("utf-8")
    try:
        return json.dumps(value, allow_nan=False).encode("utf-8")
    except (TypeError, ValueError) as e:
        raise TypeError(f"{what}: {e}") from None


def age(value: object) -> int | None:
    """age from a record's value: 25, 25.0 or "25" -> 25; None outside 0..150 or otherwise bad."""
    data = _json_value(value, "age")
    out = ffi.new("int64_t *")
    return out[0] if lib.pinetl_age(out, data, len(data)) else None


def age_group(age_value: int | None) -> str | None:
    """The name of the age's group (one of age_groups(), e.g. "25-35"), or None (younger, or
    None)."""
    if age_value is None:
        return None
    return text(lib.pinetl_age_group(int(age_value)))


def age_groups() -> tuple[str, ...]:
    """The age groups' names, youngest first, as age_group gives them."""
    return tuple(text(lib.pinetl_age_group_name(i)) or ""
                 for i in range(lib.PINETL_AGE_GROUP_COUNT))


def key(value: object) -> int | None:
    """index / ind from a record's value: 7528, 7528.0 or "7528" -> 7528; None when not a key."""
    data = _json_value(value, "key")
    out = ffi.new("int64_t *")
    return out[0] if lib.pinetl_key(out, data, len(data)) else None


def save_location(value: str | bytes) -> str | None:
    """save_location with one leading "Local save in " removed; None when nothing is left."""
    data = as_bytes(value, "save_location")
    start = ffi.new("size_t *")
    length = ffi.new("size_t *")
    if not lib.pinetl_save_location(start, length, data, len(data)):
        return None
    return data[start[0]:start[0] + length[0]].decode("utf-8")


def format_double(value: float) -> str:
    """The shortest text that reads back as exactly this double ("1.0", "-89.9787", "1e-07")."""
    buf = ffi.new("char[]", lib.PINETL_DOUBLE_BUFSIZE)
    n = lib.pinetl_double_format(buf, float(value))
    return ffi.string(buf, n).decode("ascii")
