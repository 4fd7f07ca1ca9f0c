"""One-value helpers: the C library's per-value rules (scalar.h), for notebooks, UDFs and tests.

    from pinetl import scalar
    scalar.follower_count("26k")     # 26000"""
from ._scalar import (age, age_group, age_groups, follower_count, format_double,
                      format_timestamp, key, parse_timestamp, reject_reasons, save_location,
                      timestamp_us, timestamp_year)

__all__ = ["age", "age_group", "age_groups", "follower_count", "format_double",
           "format_timestamp", "key", "parse_timestamp", "reject_reasons", "save_location",
           "timestamp_us", "timestamp_year"]
