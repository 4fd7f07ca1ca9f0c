"""pinetl_pipeline.source: the emulator's SQLite source database, from the real sample and the generator."""
import json
import sqlite3
import subprocess
import sys

import pytest

from pinetl_pipeline import source

SAMPLE_TABLES = {"pin": "pinterest_data", "geo": "geolocation_data", "user": "user_data"}


def sample_rows(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def table_rows(db, name):
    cur = db.execute(f"SELECT * FROM {name} ORDER BY rowid")
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur]


def test_sample_build_equals_the_sample_row_for_row(tmp_path, sample):
    out = tmp_path / "source.db"
    report = source.build(out)
    db = sqlite3.connect(out)
    for table, name in SAMPLE_TABLES.items():
        expected = sample_rows(sample(table))
        got = table_rows(db, name)
        assert len(got) == len(expected) == 2262
        for i, (g, e) in enumerate(zip(got, expected), 1):
            assert list(g) == list(e), f"{name} row {i}: columns"
            assert g == e, f"{name} row {i}"
            assert type(g["index" if table == "pin" else "ind"]) is int
        assert report.tables[table] == {"lines": 2262, "written": 2262, "refused": {}}
    # Raw columns as the database holds them: follower counts as text, DATETIME text.
    assert db.execute("SELECT typeof(follower_count), count(*) FROM pinterest_data "
                      "GROUP BY 1").fetchall() == [("text", 2262)]
    for col, name in (("timestamp", "geolocation_data"), ("date_joined", "user_data")):
        bad = db.execute(f"SELECT count(*) FROM {name} WHERE typeof({col}) != 'text' OR "
                         f"{col} NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] "
                         f"[0-9][0-9]:[0-9][0-9]:[0-9][0-9]'").fetchone()[0]
        assert bad == 0
    assert db.execute("SELECT count(*) FROM refused_lines").fetchone()[0] == 0
    assert report.posts == 2262 and report.balanced()


def test_sqlite_source_fetches_posts_by_position(tmp_path, sample):
    out = tmp_path / "source.db"
    source.build(out)
    with source.open_source(str(out)) as src:
        assert src.posts() == 2262
        for table in SAMPLE_TABLES:
            expected = sample_rows(sample(table))
            got = src.fetch(table, [1, 2262, 700, 700])
            assert got == {1: expected[0], 2262: expected[2261], 700: expected[699]}


def write_lines(path, lines):
    path.write_bytes(b"".join(line + b"\n" for line in lines))


def test_dirty_lines_are_refused_with_their_post_and_counted(tmp_path, sample):
    src_dir = tmp_path / "in"
    src_dir.mkdir()
    lines = {t: sample(t).read_bytes().splitlines()[:6] for t in SAMPLE_TABLES}
    lines["pin"][1] = lines["pin"][1][:40]                  # truncated JSON
    lines["geo"][2] = b"  \t"                               # blank
    lines["user"][3] = b'["x", 1]'                          # not an object
    lines["geo"][4] = lines["geo"][4].replace(b'"country": "', b'"country": "\xff')  # not UTF-8
    lines["user"][5] = lines["user"][5].replace(b'"ind": ', b'"ind": "12a", "x": ')  # bad key
    for t in SAMPLE_TABLES:
        write_lines(src_dir / f"{t}.jsonl", lines[t])
    out = tmp_path / "source.db"
    report = source.build(out, sample=src_dir)
    assert report.balanced()
    assert report.posts == 2  # lines 1 and 6; line 6 keeps its non-integer key
    db = sqlite3.connect(out)
    refused = db.execute("SELECT source_table, line, reason, raw FROM refused_lines "
                         "ORDER BY line, source_table").fetchall()
    want = {(2, "pinterest_data"): "invalid_json", (3, "geolocation_data"): "blank",
            (4, "user_data"): "not_an_object", (5, "geolocation_data"): "invalid_utf8"}
    assert len(refused) == 12  # four posts, three lines each
    for name, line, reason, raw in refused:
        assert reason == want.get((line, name), "post_incomplete"), (name, line)
        table = {v: k for k, v in SAMPLE_TABLES.items()}[name]
        assert raw == lines[table][line - 1]
    for t, name in SAMPLE_TABLES.items():
        assert report.tables[t]["lines"] == 6
        assert report.tables[t]["written"] == 2
        assert sum(report.tables[t]["refused"].values()) == 4
        assert db.execute(f"SELECT count(*) FROM {name}").fetchone()[0] == 2
    key = db.execute("SELECT ind, typeof(ind) FROM user_data ORDER BY rowid").fetchall()
    assert key[1] == ("12a", "text")  # held as the dynamic column holds it, not refused
    assert report.extra_keys["user"] == 1  # the unknown key "x" is left out, and counted
    # A line that is missing from a shorter file is refused with its post as well.
    write_lines(src_dir / "geo.jsonl", lines["geo"][:5])
    report = source.build(out, sample=src_dir)
    assert report.balanced() and report.posts == 1
    assert report.tables["pin"]["refused"]["post_incomplete"] == 4


def test_generator_build_is_the_generator_output(tmp_path):
    """--rows/--seed runs bench/generate.c (pinetl-generate): rows equal its lines, in order."""
    gen_dir = tmp_path / "gen"
    gen_dir.mkdir()
    paths, _ = source.generate(3000, 11, gen_dir, dirt=0.02)
    out = tmp_path / "g.db"
    report = source.build(out, rows=3000, seed=11, dirt=0.02)
    assert report.balanced()
    db = sqlite3.connect(out)
    refused_lines = {r[0] for r in db.execute("SELECT DISTINCT line FROM refused_lines")}
    assert refused_lines, "a 2% dirt rate over 9000 lines refuses some"
    assert db.execute("SELECT count(*) FROM refused_lines").fetchone()[0] == 3 * len(refused_lines)
    assert report.posts == 3000 - len(refused_lines)
    for t, name in SAMPLE_TABLES.items():
        raw = paths[t].read_bytes().split(b"\n")[:-1]
        assert len(raw) == 3000
        expected = [json.loads(raw[i]) for i in range(3000) if i + 1 not in refused_lines]
        got = table_rows(db, name)
        assert len(got) == len(expected) == report.posts
        for g, e in zip(got, expected):
            key = "index" if t == "pin" else "ind"
            if isinstance(e.get(key), int) and e[key] >= 1 << 63:
                e[key] = float(e[key])  # beyond int64: a REAL, as SQLite stores such a literal
            assert g == {c: e.get(c) for c in g}
        counts = report.tables[t]
        assert counts["lines"] == 3000
        assert sum(counts["refused"].values()) == len(refused_lines)
    # Deterministic for a seed.
    again = tmp_path / "g2.db"
    source.build(again, rows=3000, seed=11, dirt=0.02)
    db2 = sqlite3.connect(again)
    for name in SAMPLE_TABLES.values():
        assert table_rows(db, name) == table_rows(db2, name)


def test_command_line(tmp_path):
    out = tmp_path / "c.db"
    rep = tmp_path / "r.json"
    proc = subprocess.run([sys.executable, "-m", "pinetl_pipeline.source", "build", "--out", str(out),
                           "--rows", "500", "--seed", "3", "--report-json", str(rep)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "pinterest_data: 500 lines = " in proc.stderr
    report = json.loads(rep.read_text())
    assert report["tables"]["geo"]["lines"] == 500
    info = subprocess.run([sys.executable, "-m", "pinetl_pipeline.source", "info", str(out)],
                          capture_output=True, text=True)
    assert json.loads(info.stdout) == {"posts": report["posts"]}
    bad = subprocess.run([sys.executable, "-m", "pinetl_pipeline.source", "build", "--out", str(out),
                          "--sample", str(tmp_path / "nowhere")], capture_output=True, text=True)
    assert bad.returncode == 2 and "no such file" in bad.stderr
    assert source.SQLiteSource(str(out)).posts() == report["posts"]  # the old file is intact


def test_mysql_url_parsing():
    args = source.parse_mysql_url("mysql://u%40x:p%3Aw@db.local:3307/pinterest")
    assert args == {"user": "u@x", "password": "p:w", "database": "pinterest",
                    "charset": "utf8mb4", "host": "db.local", "port": 3307}
    args = source.parse_mysql_url("mysql://root@localhost/db?unix_socket=/run/m.sock")
    assert args["unix_socket"] == "/run/m.sock" and "host" not in args
    with pytest.raises(source.SourceError):
        source.parse_mysql_url("mysql://host:1/")
    assert source._redact("mysql://u:secret@h/db") == "mysql://u:***@h/db"
