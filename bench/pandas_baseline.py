#!/usr/bin/python3
"""The pandas baseline: SPEC.md section 2 cleaning (and section 3 insights) written the way a data
engineer would in pandas: parse the lines, build a DataFrame, vectorised string operations,
to_json. This is what users start from; bench/run times it next to pinetl.

    pandas_baseline.py clean --table pin IN OUT [--rejects FILE]
    pandas_baseline.py insights PIN GEO USER [--out FILE]

pandas.read_json(lines=True) stops at the first malformed line, so lines are parsed with the
standard json module first (malformed ones go to the rejects, as pinetl does) and the DataFrame is
built from the parsed records. Run it with the project venv's Python (bench/run does).
"""
import argparse
import json
import sys

import numpy as np
import pandas as pd

from pin_fields import SENTINELS

KEY = {"pin": "index", "geo": "ind", "user": "ind"}
INT64_MAX = 2**63 - 1


def read_records(path, table):
    """Parses JSON lines; returns (records DataFrame, rejects list)."""
    key = KEY[table]
    good, rejects = [], []
    with open(path, "rb") as f:
        for lineno, raw in enumerate(f, 1):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError:
                rejects.append((lineno, "invalid_utf8", raw))
                continue
            except ValueError:
                rejects.append((lineno, "invalid_json", raw))
                continue
            if not isinstance(obj, dict):
                rejects.append((lineno, "not_an_object", raw))
                continue
            obj["__line"] = lineno
            good.append(obj)
    df = pd.DataFrame.from_records(good)
    if key not in df.columns:
        df[key] = None
    # key: a JSON integer, an integral number, or a string of ASCII digits, within int64
    k = df[key]
    kind = k.map(type)
    as_str = k.where(kind == str).astype("string")
    digits = as_str.str.fullmatch(r"[0-9]+").fillna(False).astype(bool)
    num = pd.to_numeric(k.where((kind == int) | (kind == float)), errors="coerce")
    integral = num.notna() & (np.floor(num) == num) & (num.abs() <= 2**63)
    ok = digits | integral
    parsed = pd.Series(np.zeros(len(df), dtype=np.int64), index=df.index)
    # exact values: Python ints for digits and integers (floats are integral here)
    vals = k.where(ok).map(lambda v: int(v) if v is not None and v == v else None)
    in_range = vals.map(lambda v: v is not None and -INT64_MAX - 1 <= v <= INT64_MAX)
    ok = ok & in_range.astype(bool)
    parsed[ok] = vals[ok].astype(np.int64)
    for line, raw in zip(df.loc[~ok, "__line"], df.loc[~ok, key]):
        rejects.append((line, "bad_key", json.dumps(raw)))
    df = df[ok].copy()
    df["ind"] = parsed[ok]
    return df, rejects


def text(df, col):
    """Text rule: strings kept unless blank or a sentinel; numbers/booleans as JSON text."""
    if col not in df.columns:
        return pd.Series(pd.NA, index=df.index, dtype="string")
    s = df[col]
    kind = s.map(type)
    out = s.where(kind == str).astype("string")
    blank = out.str.fullmatch(r"[ \t\n\v\f\r]*").fillna(False).astype(bool)
    out = out.mask(blank | out.isin(SENTINELS.get(col, [])))
    other = (kind == int) | (kind == float) | (kind == bool)
    if other.any():
        out[other] = s[other].map(json.dumps)
    return out


MULT = {"k": 1000, "K": 1000, "m": 10**6, "M": 10**6, "b": 10**9, "B": 10**9}


def follower_count(df):
    s = df["follower_count"] if "follower_count" in df.columns else pd.Series(None, index=df.index)
    kind = s.map(type)
    st = s.where(kind == str).astype("string").mask(lambda x: x == "User Info Error")
    g = st.str.extract(r"^[ \t\n\v\f\r]*([0-9]+)(?:\.([0-9]+))?([kKmMbB])?[ \t\n\v\f\r]*$")
    mult = g[2].map(MULT).fillna(1).astype(np.int64)
    whole = pd.to_numeric(g[0], errors="coerce")
    frac = g[1].fillna("")
    scale = 10 ** frac.str.len().clip(upper=18).astype(np.int64)
    fracv = pd.to_numeric(frac.str.slice(0, 18).replace("", "0"), errors="coerce").fillna(0)
    value = whole * mult + (fracv * mult // scale)
    out = value.where(whole.notna() & (value <= INT64_MAX))
    ints = kind == int
    out[ints] = s[ints].where(s[ints].map(lambda v: 0 <= v <= INT64_MAX))
    return out.astype("Int64")


def timestamp(s):
    """YYYY-MM-DD[ HH:MM:SS[.f]][zone] strings or epoch seconds -> UTC datetimes (NaT if bad)."""
    kind = s.map(type)
    st = s.where(kind == str)
    ts = pd.to_datetime(st, errors="coerce", utc=True)
    nums = (kind == int) | (kind == float)
    if nums.any():
        ts[nums] = pd.to_datetime(s[nums].astype(float), unit="s", errors="coerce", utc=True)
    return ts


def iso(ts):
    out = ts.dt.strftime("%Y-%m-%dT%H:%M:%S")
    micro = ts.dt.microsecond
    out = out.where(micro == 0, out + "." + micro.astype("string").str.zfill(6))
    return out + "Z"


def coordinate(df, col, limit):
    v = pd.to_numeric(df[col], errors="coerce") if col in df.columns else pd.Series(np.nan, index=df.index)
    return v.where(np.isfinite(v) & (v.abs() <= limit))


def clean(table, df):
    out = pd.DataFrame({"ind": df["ind"]})
    if table == "pin":
        out["unique_id"] = text(df, "unique_id")
        out["title"] = text(df, "title")
        out["description"] = text(df, "description")
        out["follower_count"] = follower_count(df)
        out["poster_name"] = text(df, "poster_name")
        out["tag_list"] = text(df, "tag_list")
        out["is_image_or_video"] = text(df, "is_image_or_video")
        out["image_src"] = text(df, "image_src")
        save = text(df, "save_location").str.replace(r"^Local save in ", "", regex=True)
        out["save_location"] = save.mask(save == "")
        out["category"] = text(df, "category")
    elif table == "geo":
        out["country"] = text(df, "country")
        lat, lon = coordinate(df, "latitude", 90), coordinate(df, "longitude", 180)
        out["coordinates"] = [[a, b] if a == a and b == b else None for a, b in zip(lat, lon)]
        out["timestamp"] = timestamp(df["timestamp"]) if "timestamp" in df.columns else pd.NaT
    else:
        first, last = text(df, "first_name"), text(df, "last_name")
        name = (first.fillna("") + " " + last.fillna("")).str.strip(" ")
        out["user_name"] = name.mask(first.isna() & last.isna())
        age = pd.to_numeric(df["age"].where(df["age"].map(type) != bool), errors="coerce")
        out["age"] = age.where((age == np.floor(age)) & (age >= 0) & (age <= 150)).astype("Int64")
        out["date_joined"] = timestamp(df["date_joined"]) if "date_joined" in df.columns else pd.NaT
    return out


def write_jsonl(out, path):
    out = out.copy()
    for col in ("timestamp", "date_joined"):
        if col in out.columns:
            out[col] = iso(out[col])
    out.to_json(path, orient="records", lines=True, force_ascii=False, double_precision=15)


def cmd_clean(args):
    df, rejects = read_records(args.input, args.table)
    out = clean(args.table, df)
    write_jsonl(out, args.output)
    if args.rejects:
        with open(args.rejects, "w") as f:
            for line, reason, _raw in rejects:
                f.write(json.dumps({"table": args.table, "line": line, "reason": reason}) + "\n")
    print(f"pandas clean {args.table}: read {len(out) + len(rejects)} cleaned {len(out)} "
          f"rejected {len(rejects)}", file=sys.stderr)


AGE_GROUPS = ["18-24", "25-35", "36-50", "+50"]


def age_group(age):
    g = pd.cut(age.astype("float"), [17, 24, 35, 50, 1000], labels=AGE_GROUPS)
    return g


def top_ties(df, keys, value):
    best = df.groupby(keys)[value].transform("max")
    return df[df[value] == best]


def lower_median(s):
    v = np.sort(s.dropna().to_numpy())
    return v[(len(v) + 1) // 2 - 1] if len(v) else np.nan


def insights(pin, geo, user):
    pin, geo, user = (t.drop_duplicates("ind", keep="last") for t in (pin, geo, user))
    pg = pin.merge(geo, on="ind")
    pu = pin.merge(user, on="ind")
    res = {}
    c = pg.dropna(subset=["country", "category"]).groupby(["country", "category"]).size()
    c = top_ties(c.rename("category_count").reset_index(), "country", "category_count")
    res["top_category_by_country"] = c.sort_values(["country", "category"])
    y = pg.assign(post_year=pg["timestamp"].dt.year).dropna(subset=["post_year", "category"])
    y = y[(y.post_year >= 2018) & (y.post_year <= 2022)]
    y = y.groupby(["post_year", "category"]).size().rename("category_count").reset_index()
    res["top_category_by_year"] = top_ties(y, "post_year", "category_count").sort_values(["post_year", "category"])
    u = pg.dropna(subset=["country", "poster_name", "follower_count"])
    u = u[["country", "poster_name", "follower_count"]].drop_duplicates()
    u = top_ties(u, "country", "follower_count").sort_values(["country", "poster_name"])
    res["top_user_by_country"] = u
    res["top_country_by_followers"] = u[u.follower_count == u.follower_count.max()][["country", "follower_count"]]
    pu = pu.assign(age_group=age_group(pu["age"]))
    a = pu.dropna(subset=["age_group", "category"]).groupby(["age_group", "category"], observed=True).size()
    a = a.rename("category_count").reset_index()
    res["top_category_by_age_group"] = top_ties(a, "age_group", "category_count").sort_values(["age_group", "category"])
    m = pu.dropna(subset=["age_group"]).groupby("age_group", observed=True)["follower_count"].agg(lower_median)
    res["median_followers_by_age_group"] = m.dropna().rename("median_follower_count").reset_index()
    uj = user.assign(post_year=user["date_joined"].dt.year).dropna(subset=["user_name", "post_year"])
    uj = uj[(uj.post_year >= 2015) & (uj.post_year <= 2020)].drop_duplicates(["user_name", "date_joined"])
    res["users_joined_by_year"] = uj.groupby("post_year").size().rename("number_users_joined").reset_index()
    pj = pu.assign(post_year=pu["date_joined"].dt.year)
    pj = pj[(pj.post_year >= 2015) & (pj.post_year <= 2020)]
    m = pj.groupby("post_year")["follower_count"].agg(lower_median)
    res["median_followers_by_join_year"] = m.dropna().rename("median_follower_count").reset_index()
    m = pj.dropna(subset=["age_group"]).groupby(["age_group", "post_year"], observed=True)["follower_count"].agg(lower_median)
    res["median_followers_by_age_group_and_join_year"] = m.dropna().rename("median_follower_count").reset_index()
    return res


def cmd_insights(args):
    tables = {}
    for name, path in (("pin", args.pin), ("geo", args.geo), ("user", args.user)):
        df, _ = read_records(path, name)
        tables[name] = clean(name, df)
    res = insights(tables["pin"], tables["geo"], tables["user"])
    out = open(args.out, "w") if args.out else sys.stdout
    for name, df in res.items():
        out.write(json.dumps({"insight": name, "rows": json.loads(
            df.to_json(orient="records", force_ascii=False))}, ensure_ascii=False) + "\n")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("clean")
    c.add_argument("--table", choices=["pin", "geo", "user"], required=True)
    c.add_argument("input")
    c.add_argument("output")
    c.add_argument("--rejects")
    c.set_defaults(fn=cmd_clean)
    i = sub.add_parser("insights")
    i.add_argument("pin")
    i.add_argument("geo")
    i.add_argument("user")
    i.add_argument("--out")
    i.set_defaults(fn=cmd_insights)
    args = p.parse_args()
    args.fn(args)


if __name__ == "__main__":
    main()
