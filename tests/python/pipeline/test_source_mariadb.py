"""pinetl_pipeline.source and the emulator's draw against a real MariaDB server (mariadb_fixtures)."""
import datetime
import json

import pytest

from mariadb_fixtures import mariadb  # noqa: F401  (the fixture)
from pinetl_pipeline import emulate, source

TABLES = {"pin": "pinterest_data", "geo": "geolocation_data", "user": "user_data"}


@pytest.fixture(scope="module")
def loaded(mariadb):  # noqa: F811
    """The real sample, loaded by pinetl-source into MariaDB with the original's column types."""
    assert source.main(["build", "--out", mariadb.url]) == 0
    return mariadb


def test_sample_in_mariadb_equals_the_sample(loaded, sample):
    with source.open_source(loaded.url) as src:
        assert src.posts() == 2262
        for t in TABLES:
            expected = [json.loads(x) for x in sample(t).read_text(encoding="utf-8").splitlines()]
            got = src.fetch(t, range(1, 2263))
            assert len(got) == 2262
            for p in range(1, 2263):
                row = got[p]
                # As the original sent it: json.dumps(row, default=str).
                assert json.loads(emulate.serialise(row)) == expected[p - 1], (t, p)
                assert list(row) == list(expected[p - 1])


def test_mariadb_holds_the_original_types(loaded):
    conn = loaded.root(database="pinterest")
    with conn.cursor() as cur:
        cur.execute("SELECT DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = "
                    "'pinterest' AND TABLE_NAME = 'geolocation_data' AND COLUMN_NAME = "
                    "'timestamp'")
        assert cur.fetchone()[0] == "datetime"
        cur.execute("SELECT `timestamp`, date_joined FROM geolocation_data JOIN user_data "
                    "USING (ind) LIMIT 1")
        ts, joined = cur.fetchone()
        assert isinstance(ts, datetime.datetime) and isinstance(joined, datetime.datetime)
        cur.execute("SELECT follower_count FROM pinterest_data WHERE follower_count LIKE '%k' "
                    "LIMIT 1")
        assert cur.fetchone()[0].endswith("k")
    conn.close()
    # A DATETIME goes out as the original's json.dumps(default=str) wrote it.
    assert emulate.serialise({"t": ts}) == json.dumps({"t": ts.strftime("%Y-%m-%d %H:%M:%S")})


def test_draw_from_mariadb_equals_draw_from_sqlite(loaded, tmp_path):
    db = tmp_path / "source.db"
    source.build(db)
    with source.open_source(str(db)) as lite, source.open_source(loaded.url) as my, \
            source.open_source(loaded.socket_url) as sock:
        a = emulate.drawn_records(lite, 300, 42)
        b = emulate.drawn_records(my, 300, 42)
        c = emulate.drawn_records(sock, 300, 42)
    for t in TABLES:
        assert [json.loads(x) for x in a[t]] == [json.loads(x) for x in b[t]]
        assert b[t] == c[t]


def test_generated_source_in_mariadb(mariadb, tmp_path):  # noqa: F811
    """The generator's dirt: refused lines counted; a key MySQL cannot hold is refused too."""
    url = mariadb.url
    report = source.build(url, rows=4000, seed=5, dirt=0.05)
    assert report.balanced()
    lite = source.build(tmp_path / "g.db", rows=4000, seed=5, dirt=0.05)
    assert report.tables["pin"]["refused"].get("column_type", 0) > 0  # "123a", 1e20 keys
    assert "column_type" not in lite.tables["pin"]["refused"]
    assert report.posts < lite.posts
    with source.open_source(url) as src:
        assert src.posts() == report.posts
    # The sample again, so other tests in this session see it.
    assert source.main(["build", "--out", mariadb.url]) == 0


def test_bad_credentials_are_a_clear_error(mariadb):  # noqa: F811
    bad = mariadb.url.replace(f"{mariadb.user}:", f"{mariadb.user}x:")
    with pytest.raises(source.SourceError) as e:
        source.open_source(bad)
    assert "Access denied" in str(e.value) and mariadb.password not in str(e.value)
