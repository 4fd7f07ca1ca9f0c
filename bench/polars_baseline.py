"""The polars baseline: SPEC.md section 2 cleaning of pins written the way a polars user would
(read the lines, decode JSON into string columns, vectorised expressions, write_ndjson). bench/run
times it next to pinetl and checks that it agrees with pinetl on the records both clean.

    polars_baseline.py clean --table pin IN OUT

pl.read_ndjson stops at the first malformed line (ignore_errors only covers type mismatches), so
the file is read as lines (invalid UTF-8 replaced by U+FFFD), lines that are not one valid JSON
object are dropped (json_path_match("$") is null for them; a U+FFFD marks a line that was not
UTF-8), and the rest are decoded with one struct schema of strings (numbers become their text).
Known differences from the spec, left as a user would: a number's text is polars' rendering
(1e3 -> "1000"), and a key given as a string "7528.0" is accepted.
"""

import polars as pl

from pin_fields import PIN_FIELDS, SENTINELS, clean_main

BLANK = r"^[ \t\n\x0B\x0C\r]*$"
INT64_MAX = 2**63 - 1


def text(name):
    """Text rule: null when missing, blank or a sentinel."""
    c = pl.col(name)
    bad = c.str.contains(BLANK) | c.is_in(SENTINELS.get(name, []))
    return pl.when(bad).then(None).otherwise(c)


def key(name):
    """A JSON integer, an integral number or a string of digits, within int64; else null."""
    c = pl.col(name)
    digits = c.str.contains(r"^[0-9]+$")
    as_float = c.cast(pl.Float64, strict=False)
    integral = as_float.is_finite() & (as_float.floor() == as_float) & (as_float.abs() < 2.0**63)
    return (pl.when(digits).then(c.cast(pl.Int64, strict=False))
            .when(integral).then(as_float.cast(pl.Int64, strict=False))
            .otherwise(None))


def follower_count():
    """"26k" -> 26000, "1.5M" -> 1500000 (fraction truncated), digits as they are; else null."""
    g = text("follower_count").str.extract_groups(
        r"^[ \t\n\x0B\x0C\r]*([0-9]+)(?:\.([0-9]+))?([kKmMbB])?[ \t\n\x0B\x0C\r]*$")
    whole = g.struct.field("1").cast(pl.Int64, strict=False)
    frac = g.struct.field("2").fill_null("").str.slice(0, 18)
    suffix = g.struct.field("3").fill_null("")
    mult = (pl.when(suffix.is_in(["k", "K"])).then(1000)
            .when(suffix.is_in(["m", "M"])).then(1_000_000)
            .when(suffix.is_in(["b", "B"])).then(1_000_000_000)
            .otherwise(1)).cast(pl.Int64)
    scale = pl.lit(10, pl.Int64).pow(frac.str.len_chars().cast(pl.Int64))
    fracv = pl.when(frac == "").then(0).otherwise(frac.cast(pl.Int64, strict=False))
    value = whole * mult + fracv * mult // scale
    return pl.when(whole.is_not_null() & (value >= 0)).then(value).otherwise(None)


def clean_pin(path, out):
    lines = pl.scan_csv(path, has_header=False, separator="\x01", quote_char=None,
                        schema={"line": pl.String}, encoding="utf8-lossy")
    line = pl.col("line")
    valid = (line.str.contains(r"^[ \t\r\n]*\{") & line.str.json_path_match("$").is_not_null()
             & ~line.str.contains("\ufffd", literal=True))
    schema = pl.Struct({f: pl.String for f in PIN_FIELDS})
    records = (lines.filter(valid)
               .select(line.str.json_decode(schema).alias("r")).unnest("r"))
    save = text("save_location").str.replace(r"^Local save in ", "")
    cleaned = records.select(
        key("index").alias("ind"),
        text("unique_id").alias("unique_id"),
        text("title").alias("title"),
        text("description").alias("description"),
        follower_count().alias("follower_count"),
        text("poster_name").alias("poster_name"),
        text("tag_list").alias("tag_list"),
        text("is_image_or_video").alias("is_image_or_video"),
        text("image_src").alias("image_src"),
        pl.when(save == "").then(None).otherwise(save).alias("save_location"),
        text("category").alias("category"),
    ).filter(pl.col("ind").is_not_null())
    df = cleaned.collect()
    df.write_ndjson(out)
    return df.height


def main():
    clean_main("polars", clean_pin)


if __name__ == "__main__":
    main()
