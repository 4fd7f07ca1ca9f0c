"""The chDB baseline (embedded ClickHouse, the `chdb` package from PyPI): SPEC.md section 2
cleaning of pins as one ClickHouse SQL statement, the way a ClickHouse user writes it: the file
read with the JSONEachRow format into String columns (numbers read as their text), malformed rows
skipped (input_format_allow_errors_ratio), the rules as SQL expressions, and the result written
with INSERT INTO FUNCTION file(..., 'JSONEachRow'). bench/run times it next to pinetl and checks
that it agrees with pinetl on the records both clean.

    chdb_baseline.py clean --table pin IN OUT

Known differences from the spec, left as a user would: JSONEachRow accepts a comma after a row
(the generator's trailing-comma lines are kept, as DuckDB keeps them), it reads a truncated line
on into the next one and skips both (so the valid record after a truncated line is lost: about 5
in 20,000 generated pins), a key given as a string
"7528.0" is accepted (a number's text cannot be told from a string's), and a line with invalid
UTF-8 is dropped only when a kept text field holds it. Uses every core (ClickHouse's default).
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


def key(name):
    """A JSON integer, an integral number or a string of digits, within int64; else null."""
    c, f = f'"{name}"', f'toFloat64OrNull("{name}")'
    return (f"multiIf(match({c}, '^-?[0-9]+$'), toInt64OrNull({c}),"
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
    structure = ", ".join(f'"{f}" Nullable(String)' for f in PIN_FIELDS)
    save = f"replaceRegexpOne({text('save_location')}, '^Local save in ', '')"
    texts = ["unique_id", "title", "description", "poster_name", "tag_list", "is_image_or_video",
             "image_src", "category"]
    # Inner: the rules on the read columns (follower_count's parts); outer: its value, the order.
    inner = ", ".join([
        f"{key('index')} AS ind",
        *(f"{text(t)} AS {t}" for t in texts),
        f"{follower_groups()} AS fc",
        f"if({save} = '', NULL, {save}) AS save_location",
    ])
    outer = ", ".join(["ind", *texts[:3], f"{follower_count('fc')} AS follower_count",
                       *texts[3:7], "save_location", "category"])
    utf8 = " AND ".join(f'isValidUTF8(ifNull("{f}", \'\'))' for f in PIN_FIELDS[1:])
    sql = (f"INSERT INTO FUNCTION file({sq(out)}, 'JSONEachRow') "
           f"SELECT {outer} FROM (SELECT {inner} FROM file({sq(path)}, 'JSONEachRow',"
           f" {sq(structure)}) WHERE {utf8}) WHERE ind IS NOT NULL "
           "SETTINGS input_format_allow_errors_ratio = 1, input_format_allow_errors_num = 1000000000,"
           " input_format_json_read_numbers_as_strings = 1,"
           " input_format_json_read_objects_as_strings = 1,"
           " output_format_json_quote_64bit_integers = 0, engine_file_truncate_on_insert = 1")
    chdb.query(sql)


def main():
    clean_main("chdb", clean_pin)


if __name__ == "__main__":
    main()
