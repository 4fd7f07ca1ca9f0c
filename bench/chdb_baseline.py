"""The chDB baseline (embedded ClickHouse, the `chdb` package from PyPI): SPEC.md section 2
cleaning of pins as one ClickHouse SQL statement, the way a ClickHouse user writes it for a file
with bad lines: the file read as lines (`LineAsString`), lines that are not one valid JSON object
in valid UTF-8 dropped (isValidJSON, isValidUTF8), the fields taken with JSONExtractString and
JSONExtractRaw, the rules as SQL expressions, and the result written with INSERT INTO FUNCTION
file(..., 'JSONEachRow'). bench/run times it next to pinetl and checks that it agrees with pinetl
on the records both clean.

    chdb_baseline.py clean --table pin IN OUT

Reading the file with the JSONEachRow format instead fails on the generated 1M pins: a truncated
line's open string runs on until the 512 MB object limit (INCORRECT_DATA), and below that limit
a truncated line takes the next, valid, line with it. Known difference from the spec, left as a
user would: a text field holding a number or an object is taken as missing (JSONExtractString
gives ''). Uses every core (ClickHouse's default).
"""

import chdb

from pin_fields import PIN_FIELDS, SENTINELS, clean_main

SPACE = r"[ \t\n\x0B\x0C\r]"


def sq(s):
    """A ClickHouse string literal (backslashes are escapes there)."""
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"


def text(name):
    """Text rule: null when missing, blank or a sentinel."""
    c = f'"{name}"'
    bad = f"{c} IS NULL OR match({c}, {sq('^' + SPACE + '*$')})"
    if SENTINELS.get(name):
        bad += f" OR {c} IN ({', '.join(sq(s) for s in SENTINELS[name])})"
    return f"if({bad}, NULL, {c})"


def key(raw):
    """A JSON integer, an integral number or a string of digits, within int64; else null. raw is
    the value's JSON text ('' when missing)."""
    f = f"toFloat64OrNull({raw})"
    return (f"multiIf(match({raw}, '^-?[0-9]+$'), toInt64OrNull({raw}),"
            f" match({raw}, '^\"[0-9]+\"$'), toInt64OrNull(substring({raw}, 2, length({raw}) - 2)),"
            f" isFinite({f}) AND {f} = floor({f}) AND abs({f}) < 9.2e18, toInt64({f}), NULL)")


def follower_groups():
    """The parts of follower_count ("26k", "1.5M", digits): whole, fraction, suffix ([] if none)."""
    return (f"extractGroups(ifNull({text('follower_count')}, ''),"
            f" {sq('^' + SPACE + '*([0-9]+)(?:[.]([0-9]+))?([kKmMbB]?)' + SPACE + '*$')})")


def follower_count(g):
    """"26k" -> 26000, "1.5M" -> 1500000 (fraction truncated), digits as they are; else null."""
    mult = (f"multiIf({g}[3] IN ('k', 'K'), 1000, {g}[3] IN ('m', 'M'), 1000000,"
            f" {g}[3] IN ('b', 'B'), 1000000000, 1)")
    frac = f"substring({g}[2], 1, 18)"
    value = (f"toInt64OrNull({g}[1]) * {mult} + intDiv(toInt64OrZero({frac}) * {mult},"
             f" toInt64(pow(10, length({frac}))))")
    return f"if(length({g}) > 0 AND {value} >= 0, {value}, NULL)"


def clean_pin(path, out):
    texts = ["unique_id", "title", "description", "poster_name", "tag_list", "is_image_or_video",
             "image_src", "category"]
    # Innermost: lines that are one valid JSON object in valid UTF-8, their fields extracted
    # (a missing or non-string field as ''); middle: the rules; outer: follower_count's value.
    fields = ", ".join(["JSONExtractRaw(line, 'index') AS raw_index", *(
        f"JSONExtractString(line, '{f}') AS {f}" for f in PIN_FIELDS[1:])])
    lines = (f"SELECT {fields} FROM file({sq(path)}, 'LineAsString') WHERE isValidUTF8(line)"
             " AND isValidJSON(line) AND startsWith(trimLeft(line), '{')")
    save = f"replaceRegexpOne({text('save_location')}, '^Local save in ', '')"
    rules = ", ".join([
        f"{key('raw_index')} AS ind",
        *(f"{text(t)} AS {t}" for t in texts),
        f"{follower_groups()} AS fc",
        f"if({save} = '', NULL, {save}) AS save_location",
    ])
    outer = ", ".join(["ind", *texts[:3], f"{follower_count('fc')} AS follower_count",
                       *texts[3:7], "save_location", "category"])
    sql = (f"INSERT INTO FUNCTION file({sq(out)}, 'JSONEachRow') "
           f"SELECT {outer} FROM (SELECT {rules} FROM ({lines})) WHERE ind IS NOT NULL "
           "SETTINGS output_format_json_quote_64bit_integers = 0, engine_file_truncate_on_insert = 1")
    chdb.query(sql)


def main():
    clean_main("chdb", clean_pin)


if __name__ == "__main__":
    main()
