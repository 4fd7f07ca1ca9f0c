"""The source database of the posting emulator: the original's three MySQL tables, raw.

    pinetl-source build --out source.db                      # the bundled real sample
    pinetl-source build --out source.db --rows 1000000 --seed 7   # the seeded generator
    pinetl-source build --out mysql://user:pass@127.0.0.1:3306/pinterest --sample DIR
    pinetl-source info source.db                             # rows per table
    python -m pinetl_pipeline.source ...

Tables and columns are the original's (AWS RDS MySQL), values as the database holds them:
`pinterest_data` (`index`, ..., `follower_count` as text such as "124k"), `geolocation_data` and
`user_data` (`ind`, ..., timestamps as DATETIME text 'YYYY-MM-DD HH:MM:SS').

Input is JSON lines, line k of pin.jsonl, geo.jsonl and user.jsonl being one post: the bundled
real sample, a directory given with --sample, or the output of the project's generator
(bench/generate.c, installed beside this module as `pinetl-generate`) run with --rows/--seed.

Posts are positional, as the original emulator read them (`SELECT * FROM t LIMIT r, 1`, the same r
in the three tables): row p of each table is post p. A database row cannot hold a line that is not
a JSON object in UTF-8 (the generator's truncated, trailing-comma, blank, non-object and invalid
UTF-8 lines), so such a line is refused, and so are the other two lines of its post, which keeps
the tables aligned. Every refused line is kept in the table `refused_lines` (table, line, reason,
raw bytes) of a SQLite output, and counted: lines read = rows written + lines refused, per table.
JSON-valid dirt (a missing, null, non-integer or out-of-range key) is kept as the column's value,
as SQLite's dynamic typing holds it; a MySQL output refuses (reason `column_type`) values its typed
columns cannot hold (a key such as "7528a", a number beyond BIGINT)."""
import argparse
import json
import math
import os
import pathlib
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import urllib.parse

import pinetl
from pinetl import Error as PinetlError
from pinetl.files import check_target, replace_file

# The source database's schema (the original's MySQL tables, raw), for each of the C library's
# tables: name in the pipeline -> (source table, columns as (name, SQLite type, MySQL type)).
TABLES = {
    "pin": ("pinterest_data", (
        ("index", "INTEGER", "BIGINT"), ("unique_id", "TEXT", "VARCHAR(36)"),
        ("title", "TEXT", "TEXT"), ("description", "TEXT", "TEXT"),
        ("poster_name", "TEXT", "TEXT"), ("follower_count", "TEXT", "VARCHAR(64)"),
        ("tag_list", "TEXT", "TEXT"), ("is_image_or_video", "TEXT", "VARCHAR(64)"),
        ("image_src", "TEXT", "TEXT"), ("downloaded", "INTEGER", "INT"),
        ("save_location", "TEXT", "TEXT"), ("category", "TEXT", "VARCHAR(64)"))),
    "geo": ("geolocation_data", (
        ("ind", "INTEGER", "BIGINT"), ("timestamp", "DATETIME", "DATETIME"),
        ("latitude", "REAL", "FLOAT"), ("longitude", "REAL", "FLOAT"),
        ("country", "TEXT", "VARCHAR(255)"))),
    "user": ("user_data", (
        ("ind", "INTEGER", "BIGINT"), ("first_name", "TEXT", "VARCHAR(255)"),
        ("last_name", "TEXT", "VARCHAR(255)"), ("age", "INTEGER", "INT"),
        ("date_joined", "DATETIME", "DATETIME"))),
}
TABLE_NAMES = tuple(pinetl.tables())   # the C library's list, in its order
if set(TABLES) != set(TABLE_NAMES):
    raise ImportError(f"the source schema's tables {sorted(TABLES)} are not the library's "
                      f"{list(TABLE_NAMES)}")
REFUSED_TABLE = "refused_lines"
_INT64 = (-(1 << 63), (1 << 63) - 1)
_BATCH = 20000


class SourceError(Exception):
    """A source that cannot be read or written (named in the message)."""


def _here():
    return pathlib.Path(__file__).resolve().parent


def default_sample():
    """The bundled real sample: installed beside the package, or the repository's copy."""
    for d in (_here() / "sample", _here().parents[2] / "tests" / "data" / "real-sample"):
        if all((d / f"{t}.jsonl").is_file() for t in TABLE_NAMES):
            return d
    raise SourceError("the bundled real sample was not found; give --sample DIR")


def generator_path():
    """The project's generator (bench/generate.c), built and installed beside this module."""
    env = os.environ.get("PINETL_GENERATE")
    candidates = [pathlib.Path(env)] if env else []
    candidates.append(_here() / "pinetl-generate")
    found = shutil.which("pinetl-generate")
    if found:
        candidates.append(pathlib.Path(found))
    for c in candidates:
        if c.is_file() and os.access(c, os.X_OK):
            return c
    raise SourceError("the generator pinetl-generate was not found (it is built from "
                      "bench/generate.c with the pipeline package; or set PINETL_GENERATE)")


def generate(rows, seed, out_dir, sample=None, dirt=None):
    """Runs the generator; returns {table: path} of the JSON lines it wrote."""
    cmd = [str(generator_path()), "--rows", str(int(rows)), "--seed", str(int(seed)),
           "--sample", str(sample or default_sample()), "--out", str(out_dir)]
    if dirt is not None:
        cmd += ["--dirt", repr(float(dirt))]
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise SourceError(f"generator failed ({proc.returncode}): {proc.stderr.strip()}")
    paths = {}
    for t in TABLE_NAMES:
        found = sorted(pathlib.Path(out_dir).glob(f"{t}-s{int(seed)}-n{int(rows)}*.jsonl"))
        if len(found) != 1:
            raise SourceError(f"generator output for {t} not found in {out_dir}")
        paths[t] = found[0]
    return paths, proc.stderr


# ---- reading the JSON lines ----

def _no_constant(name):
    raise ValueError(f"{name} is not JSON")


def _parse(raw):
    """A line's record as a dict, or (None, reason, message)."""
    if not raw.strip():
        return None, "blank", "blank line"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        return None, "invalid_utf8", f"invalid UTF-8 at byte {e.start}"
    try:
        obj = json.loads(text, parse_constant=_no_constant)
    except ValueError as e:
        return None, "invalid_json", f"invalid JSON: {e}"
    if not isinstance(obj, dict):
        return None, "not_an_object", f"a JSON {type(obj).__name__}, not an object"
    if "\\u" in text:  # a lone surrogate escape gives a str that is not UTF-8
        try:
            json.dumps(obj, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            return None, "invalid_utf8", "a string holds a lone UTF-16 surrogate"
    return obj, None, None


def _sqlite_value(v):
    if v is None or isinstance(v, (str, float)):
        return v
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int):
        return v if _INT64[0] <= v <= _INT64[1] else float(v)  # as SQLite stores such a literal
    return json.dumps(v, ensure_ascii=False)  # an array or object: its JSON text


def _mysql_value(v, mysql_type):
    """The value a MySQL column of that type takes, or raises ValueError."""
    if v is None:
        return None
    if mysql_type in ("BIGINT", "INT"):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise ValueError(f"{v!r} is not a number")
        lo, hi = _INT64 if mysql_type == "BIGINT" else (-(1 << 31), (1 << 31) - 1)
        if not lo <= v <= hi:
            raise ValueError(f"{v!r} is out of the {mysql_type} range")
        return v
    if mysql_type == "FLOAT":
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise ValueError(f"{v!r} is not a number")
        return v
    if mysql_type == "DATETIME":
        if not isinstance(v, str) or len(v) != 19 or v[4] != "-" or v[10] != " ":
            raise ValueError(f"{v!r} is not a DATETIME 'YYYY-MM-DD HH:MM:SS'")
        return v
    if isinstance(v, (dict, list)):
        return json.dumps(v, ensure_ascii=False)
    return v if isinstance(v, str) else json.dumps(v)


class _Lines:
    """The three tables' files read in step: next() gives (line number, [raw bytes per table])."""

    def __init__(self, paths):
        self.files = [open(paths[t], "rb") for t in TABLE_NAMES]
        self.line = 0

    def __iter__(self):
        return self

    def __next__(self):
        raws = [f.readline() for f in self.files]
        if not any(raws):
            raise StopIteration
        self.line += 1
        # A missing line (a shorter file) is refused as missing, the other two with it.
        return self.line, [r[:-1] if r.endswith(b"\n") else (r if r else None) for r in raws]

    def close(self):
        for f in self.files:
            f.close()


class BuildReport:
    """Counts per table: lines read = rows written + lines refused (by reason)."""

    def __init__(self):
        self.tables = {t: {"lines": 0, "written": 0, "refused": {}} for t in TABLE_NAMES}
        self.posts = 0
        self.extra_keys = {t: 0 for t in TABLE_NAMES}

    def refuse(self, table, reason):
        r = self.tables[table]["refused"]
        r[reason] = r.get(reason, 0) + 1

    def as_dict(self):
        return {"posts": self.posts, "tables": self.tables,
                "lines_with_unknown_keys": self.extra_keys}

    def balanced(self):
        return all(v["lines"] == v["written"] + sum(v["refused"].values())
                   for v in self.tables.values())

    def text(self):
        out = [f"posts written: {self.posts}"]
        for t, v in self.tables.items():
            refused = sum(v["refused"].values())
            detail = ", ".join(f"{k} {n}" for k, n in sorted(v["refused"].items()))
            out.append(f"{TABLES[t][0]}: {v['lines']} lines = {v['written']} rows + {refused} "
                       f"refused" + (f" ({detail})" if detail else ""))
        return "\n".join(out)


def _import(paths, writer, report):
    """Reads the three files post by post and hands complete posts to the writer in batches."""
    lines = _Lines(paths)
    colsets = {t: {c for c, _, _ in TABLES[t][1]} for t in TABLE_NAMES}
    batch = {t: [] for t in TABLE_NAMES}
    pending = 0
    try:
        for lineno, raws in lines:
            rows, reasons = [], []
            for t, raw in zip(TABLE_NAMES, raws):
                if raw is None:
                    rows.append(None)
                    reasons.append(("missing", f"{t} has no line {lineno}", b""))
                    continue
                report.tables[t]["lines"] += 1
                obj, reason, msg = _parse(raw)
                if obj is not None:
                    if not colsets[t].issuperset(obj):
                        report.extra_keys[t] += 1  # kept out of the row; counted
                    try:
                        row = writer.row(t, obj)
                    except ValueError as e:
                        obj, reason, msg = None, "column_type", str(e)
                    else:
                        rows.append(row)
                        reasons.append(None)
                        continue
                rows.append(None)
                reasons.append((reason, msg, raw))
            if any(reasons):
                for t, raw, why in zip(TABLE_NAMES, raws, reasons):
                    if raw is None:
                        continue
                    if why is None:
                        why = ("post_incomplete", "another line of its post was refused", raw)
                    report.refuse(t, why[0])
                    writer.refused(t, lineno, why[0], why[1], why[2])
                continue
            for t, row in zip(TABLE_NAMES, rows):
                batch[t].append(row)
                report.tables[t]["written"] += 1
            report.posts += 1
            pending += 1
            if pending >= _BATCH:
                writer.write(batch)
                batch = {t: [] for t in TABLE_NAMES}
                pending = 0
        if pending:
            writer.write(batch)
    finally:
        lines.close()


class _SQLiteWriter:
    def __init__(self, path):
        self.path = pathlib.Path(path)
        self.tmp = self.path.with_name(self.path.name + ".tmp")
        if self.tmp.exists():
            self.tmp.unlink()
        self.db = sqlite3.connect(str(self.tmp), isolation_level=None)
        self.db.execute("PRAGMA journal_mode=OFF")
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.execute("BEGIN")
        self.sql = {}
        for t, (name, cols) in TABLES.items():
            self.db.execute(f'CREATE TABLE {name} (' +
                            ", ".join(f'"{c}" {ty}' for c, ty, _ in cols) + ")")
            self.sql[t] = (f'INSERT INTO {name} VALUES (' + ", ".join("?" * len(cols)) + ")")
        self.db.execute(f"CREATE TABLE {REFUSED_TABLE} (source_table TEXT, line INTEGER, "
                        "reason TEXT, message TEXT, raw BLOB)")
        self.refusals = []

    def row(self, table, obj):
        return tuple(_sqlite_value(obj.get(c)) for c, _, _ in TABLES[table][1])

    def refused(self, table, line, reason, message, raw):
        self.refusals.append((TABLES[table][0], line, reason, message, raw))

    def write(self, batch):
        for t, rows in batch.items():
            self.db.executemany(self.sql[t], rows)
        if self.refusals:
            self.db.executemany(f"INSERT INTO {REFUSED_TABLE} VALUES (?, ?, ?, ?, ?)",
                                self.refusals)
            self.refusals = []

    def finish(self):
        self.write({t: [] for t in TABLE_NAMES})
        self.db.execute("COMMIT")
        self.db.close()
        replace_file(self.tmp, self.path)

    def abort(self):
        self.db.close()
        self.tmp.unlink(missing_ok=True)


def parse_mysql_url(url):
    """mysql://user:pass@host:port/db[?unix_socket=PATH] as PyMySQL connect() arguments."""
    u = urllib.parse.urlsplit(url)
    if u.scheme not in ("mysql", "mariadb") or not u.path.strip("/"):
        raise SourceError(f"not a MySQL URL (mysql://user:pass@host:port/db): {url}")
    args = {"user": urllib.parse.unquote(u.username or ""),
            "password": urllib.parse.unquote(u.password or ""),
            "database": urllib.parse.unquote(u.path.strip("/")), "charset": "utf8mb4"}
    query = urllib.parse.parse_qs(u.query)
    if "unix_socket" in query:
        args["unix_socket"] = query["unix_socket"][0]
    else:
        args["host"] = u.hostname or "127.0.0.1"
        args["port"] = u.port or 3306
    return args


def is_mysql_url(spec):
    return str(spec).startswith(("mysql://", "mariadb://"))


def mysql_connect(url, **kwargs):
    try:
        import pymysql
    except ImportError as e:
        raise SourceError("a MySQL source needs PyMySQL: pip install 'pinetl[mysql]'") from e
    try:
        return pymysql.connect(**parse_mysql_url(url), **kwargs)
    except pymysql.MySQLError as e:
        raise SourceError(f"{_redact(url)}: {e}") from e


def _redact(url):
    u = urllib.parse.urlsplit(url)
    if u.password is None:
        return url
    netloc = u.netloc.replace(":" + u.password + "@", ":***@")
    return urllib.parse.urlunsplit(u._replace(netloc=netloc))


class _MySQLWriter:
    """Creates the three tables with the original's MySQL types (replacing existing ones)."""

    def __init__(self, url):
        self.conn = mysql_connect(url, autocommit=False)
        self.sql = {}
        with self.conn.cursor() as cur:
            for t, (name, cols) in TABLES.items():
                cur.execute(f"DROP TABLE IF EXISTS `{name}`")
                cur.execute(f"CREATE TABLE `{name}` (" +
                            ", ".join(f"`{c}` {my}" for c, _, my in cols) +
                            ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4")
                self.sql[t] = (f"INSERT INTO `{name}` VALUES (" +
                               ", ".join(["%s"] * len(cols)) + ")")
        self.refusal_count = 0

    def row(self, table, obj):
        return tuple(_mysql_value(obj.get(c), my) for c, _, my in TABLES[table][1])

    def refused(self, table, line, reason, message, raw):
        self.refusal_count += 1  # counted in the report; a MySQL output keeps no refused table

    def write(self, batch):
        with self.conn.cursor() as cur:
            for t, rows in batch.items():
                if rows:
                    cur.executemany(self.sql[t], rows)

    def finish(self):
        self.conn.commit()
        self.conn.close()

    def abort(self):
        self.conn.rollback()
        self.conn.close()


def build(out, sample=None, rows=None, seed=1, dirt=None):
    """Builds the source database at out (a SQLite path or a mysql:// URL). Returns a BuildReport.

    Reads the sample (default: the bundled real sample), or, with rows, the generator's output
    for (rows, seed, dirt) made from that sample."""
    if not is_mysql_url(out):
        check_target(out)  # before the work: the atomic write at the end replaces only a file
    report = BuildReport()
    with tempfile.TemporaryDirectory(prefix="pinetl-source-") as tmp:
        if rows is not None:
            paths, _ = generate(rows, seed, tmp, sample=sample, dirt=dirt)
        else:
            d = pathlib.Path(sample) if sample else default_sample()
            paths = {t: d / f"{t}.jsonl" for t in TABLE_NAMES}
            for p in paths.values():
                if not p.is_file():
                    raise SourceError(f"{p}: no such file")
        writer = _MySQLWriter(out) if is_mysql_url(out) else _SQLiteWriter(out)
        try:
            _import(paths, writer, report)
        except BaseException:
            writer.abort()
            raise
        writer.finish()
    return report


# ---- reading a source ----

class Source:
    """A source database opened for drawing posts: posts() and fetch()."""

    def posts(self):
        """Number of posts: positions are 1..posts()."""
        raise NotImplementedError

    def fetch(self, table, positions):
        """{position: row dict (the table's columns in order)} for the given positions."""
        raise NotImplementedError

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class SQLiteSource(Source):
    def __init__(self, path):
        p = pathlib.Path(path)
        if not p.is_file():
            raise SourceError(f"{path}: no such source database")
        self.db = sqlite3.connect(f"file:{p}?mode=ro", uri=True)
        self.counts = {}
        for t, (name, _) in TABLES.items():
            try:
                n, last = self.db.execute(f"SELECT count(*), max(rowid) FROM {name}").fetchone()
            except sqlite3.Error as e:
                raise SourceError(f"{path}: table {name}: {e}") from e
            # Rows are written in post order, so rowid = position unless the file was rewritten.
            self.counts[t] = (n, n == (last or 0))

    def posts(self):
        return min(n for n, _ in self.counts.values())

    def fetch(self, table, positions):
        name = TABLES[table][0]
        wanted = sorted(set(positions))
        out = {}
        if self.counts[table][1]:
            cur = self.db.cursor()
            for i in range(0, len(wanted), 500):
                chunk = wanted[i:i + 500]
                cur.execute(f"SELECT rowid, * FROM {name} WHERE rowid IN "
                            f"({', '.join('?' * len(chunk))})", chunk)
                cols = [d[0] for d in cur.description[1:]]
                for r in cur:
                    out[r[0]] = dict(zip(cols, r[1:]))
        else:
            cur = self.db.execute(f"SELECT * FROM {name} ORDER BY rowid")
            cols = [d[0] for d in cur.description]
            want = set(wanted)
            for pos, r in enumerate(cur, 1):
                if pos in want:
                    out[pos] = dict(zip(cols, r))
                if pos >= wanted[-1]:
                    break
        return out

    def close(self):
        self.db.close()


class MySQLSource(Source):
    """Post p is row p of each table in the server's order, as the original's LIMIT p-1, 1."""

    def __init__(self, url):
        import pymysql.cursors
        self.url = url
        self.conn = mysql_connect(url)
        self._sscursor = pymysql.cursors.SSCursor
        self.counts = {}
        with self.conn.cursor() as cur:
            for t, (name, _) in TABLES.items():
                try:
                    cur.execute(f"SELECT COUNT(*) FROM `{name}`")
                except Exception as e:
                    raise SourceError(f"{_redact(url)}: table {name}: {e}") from e
                self.counts[t] = cur.fetchone()[0]

    def posts(self):
        return min(self.counts.values())

    def fetch(self, table, positions):
        # One streamed scan up to the last wanted row, not one query per row.
        name = TABLES[table][0]
        want = set(positions)
        out = {}
        if not want:
            return out
        last = max(want)
        with self.conn.cursor(self._sscursor) as cur:
            cur.execute(f"SELECT * FROM `{name}` LIMIT %s", (last,))
            cols = [d[0] for d in cur.description]
            for pos, r in enumerate(cur, 1):
                if pos in want:
                    out[pos] = dict(zip(cols, r))
        return out

    def close(self):
        self.conn.close()


def open_source(spec):
    """A SQLite path or a mysql:// URL."""
    return MySQLSource(spec) if is_mysql_url(spec) else SQLiteSource(spec)


# ---- command line ----

def _parser():
    ap = argparse.ArgumentParser(
        prog="pinetl-source",
        description="Build or inspect the posting emulator's source database (the original's "
                    "pinterest_data, geolocation_data and user_data tables, raw).")
    sub = ap.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build the source database from the sample or the generator")
    b.add_argument("--out", required=True,
                   help="a SQLite file (replaced atomically) or mysql://user:pass@host:port/db")
    b.add_argument("--sample", help="directory with pin.jsonl, geo.jsonl, user.jsonl "
                                    "(default: the bundled real sample)")
    b.add_argument("--rows", type=int, help="generate this many posts with the seeded generator "
                                            "(from the sample) instead of copying the sample")
    b.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    b.add_argument("--dirt", type=float, help="generator dirt rate (default: the generator's)")
    b.add_argument("--report-json", help="also write the build report as JSON to this file")
    i = sub.add_parser("info", help="rows per table of a source (SQLite path or mysql:// URL)")
    i.add_argument("source")
    return ap


def main(argv=None):
    args = _parser().parse_args(argv)
    try:
        if args.command == "info":
            with open_source(args.source) as src:
                print(json.dumps({"posts": src.posts()}))
            return 0
        if args.rows is not None and args.rows < 1:
            raise SourceError("--rows must be at least 1")
        report = build(args.out, sample=args.sample, rows=args.rows, seed=args.seed,
                       dirt=args.dirt)
    except (SourceError, OSError, PinetlError) as e:
        print(f"pinetl-source: {e}", file=sys.stderr)
        return 2
    print(report.text(), file=sys.stderr)
    if args.report_json:
        pathlib.Path(args.report_json).write_text(json.dumps(report.as_dict(), indent=1) + "\n")
    return 0 if report.balanced() else 1


if __name__ == "__main__":
    sys.exit(main())
