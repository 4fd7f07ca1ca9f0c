"""Insights as dicts of DataFrames, and the SQLite warehouse: load, count, insights, query."""
import json

import pandas as pd
import pytest

import pinetl
from conftest import SAMPLE


@pytest.fixture(scope="module")
def real():
    return {t: SAMPLE / f"{t}.jsonl" for t in ("pin", "geo", "user")}


def _plain(df):
    return [[None if (v is pd.NA or v is None or (isinstance(v, float) and v != v)) else v
             for v in row] for row in df.astype(object).itertuples(index=False)]


def test_insights_are_the_nine_tables_as_the_c_library_renders_them(real):
    result = pinetl.warehouse.compute_insights(real["pin"], real["geo"], real["user"])
    frames = result.frames()
    assert list(frames) == pinetl.warehouse.insight_names()
    assert len(frames) == 9
    rendered = json.loads(result.render("json"))
    assert list(rendered) == list(frames)
    for name, df in frames.items():
        expected = [list(row.values()) for row in rendered[name]]
        assert _plain(df) == expected, name
        if len(df):
            assert list(df.columns) == list(rendered[name][0])
    assert frames["top_category_by_country"].dtypes["category_count"] == "Int64"


def test_insights_by_name_and_interpolated_median(real):
    frames = pinetl.insights(real["pin"], real["geo"], real["user"],
                             names=["median_followers_by_age_group", "top_category_by_year"],
                             median="interpolated")
    assert list(frames) == ["median_followers_by_age_group", "top_category_by_year"]
    assert frames["median_followers_by_age_group"]["median_follower_count"].dtype == "float64"
    with pytest.raises(ValueError, match="median"):
        pinetl.insights(real["pin"], real["geo"], real["user"], median="mean")


def test_warehouse_load_is_idempotent_and_agrees_with_memory(tmp_path, real):
    db = tmp_path / "w.db"
    with pinetl.Warehouse(db) as wh:
        first = {t: wh.load(real[t], t) for t in real}
        for t, stats in first.items():
            assert stats["read"] == stats["cleaned"] + stats["rejected"]
            assert stats["load"]["rows"] == stats["cleaned"]
            assert wh.count(t) == len(pinetl.read_json(real[t], t).rows["ind"].unique())
        again = {t: wh.load(real[t], t) for t in real}
        assert all(s["load"]["written"] == 0 for s in again.values())
        stored = wh.insights_result()
    memory = pinetl.warehouse.compute_insights(real["pin"], real["geo"], real["user"])
    same, why = memory.equals(stored)
    assert same, why


def test_query_types(tmp_path):
    with pinetl.Warehouse(tmp_path / "w.db") as wh:
        wh.load_json([{"ind": 1, "first_name": "A", "age": 30},
                      {"ind": 2, "first_name": "B"}, {"ind": "bad"}], "user")
        df = wh.query("SELECT ind, user_name, age, age / 4.0 AS q FROM user ORDER BY ind")
        assert wh.count("rejects") == 1
    assert list(df.columns) == ["ind", "user_name", "age", "q"]
    assert str(df["ind"].dtype) == "Int64" and str(df["age"].dtype) == "Int64"
    assert df["age"].isna().tolist() == [False, True]
    assert df["user_name"].tolist() == ["A", "B"]
    assert df["q"].iloc[0] == 7.5


def test_insight_sql_is_the_view_definition(tmp_path):
    """insight_sql(name) is exactly the SELECT of the warehouse's view of that name (with the
    default median), runs on the warehouse and gives the rows of Warehouse.insights; the
    interpolated median changes only the three median insights; unknown names are errors."""
    db = tmp_path / "wh.db"
    with pinetl.Warehouse(db) as wh:
        wh.load_json([{"index": 1, "category": "art", "follower_count": "5k",
                       "poster_name": "A"}, {"index": 2, "category": "art",
                                             "follower_count": "2", "poster_name": "B"}], "pin")
        wh.load_json([{"ind": 1, "country": "Chad", "timestamp": "2020-01-01 00:00:00"},
                      {"ind": 2, "country": "Peru", "timestamp": "2021-01-01 00:00:00"}], "geo")
        wh.load_json([{"ind": 1, "user_name": "a", "age": 20,
                       "date_joined": "2016-01-01 00:00:00"},
                      {"ind": 2, "user_name": "b", "age": 40,
                       "date_joined": "2017-01-01 00:00:00"}], "user")
        frames = wh.insights()
        for name in pinetl.warehouse.insight_names():
            sql = pinetl.warehouse.insight_sql(name)
            view = wh.query(f"SELECT sql FROM sqlite_master WHERE type = 'view' AND name = '{name}'")
            assert view["sql"].tolist() == [f'CREATE VIEW "{name}" AS {sql}'], name
            rows = wh.query(sql, name)
            assert rows.equals(frames[name]), name
            interpolated = pinetl.warehouse.insight_sql(name, median="interpolated")
            assert (interpolated != sql) == name.startswith("median_"), name
    with pytest.raises(pinetl.errors.NotFoundError, match="nope"):
        pinetl.warehouse.insight_sql("nope")
    with pytest.raises(pinetl.errors.InvalidArgumentError, match="mean"):
        pinetl.warehouse.insight_sql("top_category_by_country", median="mean")


def test_insight_sql_in_every_dialect_from_the_one_catalog(tmp_path):
    """pinetl.warehouse.insight_sql(name, dialect=...) comes from C's catalog: the SQLite text runs on a
    warehouse whose tables are renamed (tables=), Spark's names no SQLite function of the
    library; both use the insight's window (insight_years) and the library's age groups."""
    db = tmp_path / "wh.db"
    with pinetl.Warehouse(db) as wh:
        wh.load_json([{"ind": 1, "user_name": "a", "age": 20,
                        "date_joined": "2016-01-01 00:00:00"}], "user")
        wh.query("CREATE TABLE people AS SELECT * FROM user")
        sql = pinetl.warehouse.insight_sql("users_joined_by_year", tables={"user": "people"})
        assert "FROM people" in sql and "FROM user" not in sql
        assert wh.query(sql).equals(wh.insights(["users_joined_by_year"])["users_joined_by_year"])
    first, last = pinetl.warehouse.insight_years("users_joined_by_year")
    assert pinetl.warehouse.insight_years("top_category_by_country") is None
    for name in pinetl.warehouse.insight_names():
        spark_sql = pinetl.warehouse.insight_sql(name, dialect="spark",
                                       tables={"pin": "p1", "geo": "g1", "user": "u1"})
        assert "pinetl_" not in spark_sql, name
        years = pinetl.warehouse.insight_years(name)
        if years is not None:
            assert f" BETWEEN {years[0]} AND {years[1]}" in spark_sql, name
    groups = pinetl.scalar.age_groups()
    assert groups == tuple(dict.fromkeys(g for g in map(pinetl.scalar.age_group, range(151)) if g))
    age_sql = pinetl.warehouse.insight_sql("median_followers_by_age_group", dialect="spark")
    assert all(f"THEN '{g}'" in age_sql for g in groups)
    assert (first, last) == pinetl.warehouse.insight_years("median_followers_by_join_year")
    with pytest.raises(pinetl.errors.InvalidArgumentError, match="duckdb"):
        pinetl.warehouse.insight_sql("users_joined_by_year", dialect="duckdb")
    with pytest.raises(pinetl.errors.InvalidArgumentError, match="not a plain name"):
        pinetl.warehouse.insight_sql("users_joined_by_year", dialect="spark", tables={"user": "u; DROP"})
    with pytest.raises(ValueError, match="unknown table"):
        pinetl.warehouse.insight_sql("users_joined_by_year", tables={"users": "x"})
