"""The daily chain without Airflow (pinetl_pipeline.daily, `pinetl-daily`): the DAG's tasks for one day,
their accounting and outputs, and idempotence (a re-run of a day or of any task changes
nothing, also after later days were loaded)."""
import json
import os
import subprocess
import sys

import pytest

import pinetl
import pinetl_pipeline.airflow as pa
import pinetl_pipeline.daily as daily
from pipeline_fixtures import (BAD_LINES, TABLES, day_files, sample_lines, small_json,
                               snapshot, two_days)


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "pinetl_pipeline.daily", *map(str, args)],
                          capture_output=True, text=True)


@pytest.fixture
def site(tmp_path):
    landing = tmp_path / "landing"
    days = two_days(str(landing))
    return {"landing": str(landing), "warehouse": str(tmp_path / "wh.db"),
            "out": str(tmp_path / "out"), "days": days}


def expected_stats(table, lines):
    stats = pinetl.clean_json(b"\n".join(lines) + b"\n", table).stats
    return stats


def test_runner_cli_runs_the_chain_with_one_line_per_task(site):
    proc = run_cli("--date", "2024-01-01", "--landing", site["landing"], "--warehouse",
                   site["warehouse"], "--out", site["out"])
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert [line.split(": ")[1].split(" ")[0] for line in lines] == [t for t, _ in pa.DAILY_TASKS]
    assert all(line.startswith("pinetl-daily 2024-01-01: ") and " ok (" in line
               for line in lines)
    assert "no Delta location configured" in lines[2]
    day = os.path.join(site["out"], "2024-01-01")
    assert sorted(os.listdir(day)) == ["accounting.json", "insights", "insights.json",
                                       "report.html"]
    assert sorted(os.listdir(os.path.join(day, "insights"))) == sorted(
        f"{n}.csv" for n in pinetl.warehouse.insight_names())
    # The insights are the warehouse's, as `pinetl insights` computes them from the same inputs.
    got = json.load(open(os.path.join(day, "insights.json")))
    mem = pinetl.warehouse.compute_insights(
        *(os.path.join(site["landing"], "date=2024-01-01", f"{t}.jsonl") for t in TABLES))
    assert got == json.loads(mem.render("json"))
    mem.close()
    # insights.json is byte for byte the C library's rendering of all nine at once.
    with pinetl.Warehouse(site["warehouse"], readonly=True) as wh:
        whole = wh.insights_result()
        assert open(os.path.join(day, "insights.json")).read() == whole.render("json")
        whole.close()
    for name in pinetl.warehouse.insight_names():
        csv = open(os.path.join(day, "insights", f"{name}.csv")).read().splitlines()
        assert len(csv) == 1 + len(got[name])


def test_accounting_per_table_and_day_with_rejects_by_reason(site):
    for day in site["days"]:
        results = daily.run_day(day, site["landing"], site["warehouse"], site["out"])
        for task_id, summary in results.items():
            small_json(summary)  # what the DAG pushes as XComs
    rows = pa.accounting(site["warehouse"])
    assert [(r["day"], r["table"]) for r in rows] == [
        (d, t) for d in site["days"] for t in sorted(TABLES)]
    for r in rows:
        assert r["read"] == r["cleaned"] + r["rejected"]
        lines = sample_lines(r["table"]) if r["day"] == "2024-01-01" else \
            sample_lines(r["table"])[-600:] + BAD_LINES
        want = expected_stats(r["table"], lines)
        assert (r["read"], r["cleaned"], r["rejected"]) == (
            want["read"], want["cleaned"], want["rejected"])
        assert r["rejected_by_reason"] == {k: v for k, v in want["rejected_by_reason"].items() if v}
        if r["day"] == "2024-01-02":
            assert r["files"] == 2 and set(r["rejected_by_reason"]) == {
                "invalid_json", "bad_key", "not_an_object", "invalid_utf8"}
            assert r["written"] == 0  # its good records were all in day 1 already
    acc = json.load(open(os.path.join(site["out"], "2024-01-02", "accounting.json")))
    assert [(r["day"], r["table"]) for r in acc["tables"]] == [("2024-01-02", t) for t in TABLES]
    with pinetl.Warehouse(site["warehouse"], readonly=True) as wh:
        assert wh.count("rejects") == sum(r["rejected"] for r in rows)


def test_rerun_of_a_day_or_of_each_task_changes_nothing(site):
    for day in site["days"]:
        daily.run_day(day, site["landing"], site["warehouse"], site["out"])
    before = snapshot(site["warehouse"], site["out"])
    assert any(k.startswith("file:2024-01-02/report.html") for k in before)
    # Day 1 again, after day 2: the ledger matches, nothing is loaded and nothing changes
    # (day 1's records would otherwise overwrite day 2's).
    again = daily.run_day("2024-01-01", site["landing"], site["warehouse"], site["out"])
    assert not any(t["loaded"] for t in again["load"]["tables"].values())
    assert snapshot(site["warehouse"], site["out"]) == before
    kwargs = dict(day="2024-01-02", landing=site["landing"], warehouse=site["warehouse"],
                  out=site["out"], delta="", layout="daily", threads=0)
    for task_id, task in pa.DAILY_TASKS:
        task(**kwargs)
        assert snapshot(site["warehouse"], site["out"]) == before, task_id


def test_changed_landing_files_are_loaded_again(site):
    daily.run_day("2024-01-01", site["landing"], site["warehouse"], site["out"])
    extra = b'{"ind": 987654, "country": "Chad", "timestamp": "2020-01-01 00:00:00"}'
    day_files(site["landing"], "2024-01-01", {"geo": sample_lines("geo") + [extra]})
    result = daily.run_day("2024-01-01", site["landing"], site["warehouse"], site["out"])
    loaded = {t: v["loaded"] for t, v in result["load"]["tables"].items()}
    assert loaded == {"pin": False, "geo": True, "user": False}
    assert result["load"]["tables"]["geo"]["written"] == 1
    with pinetl.Warehouse(site["warehouse"], readonly=True) as wh:
        chad = wh.query("SELECT country FROM geo WHERE ind = 987654")["country"].tolist()
        assert chad == ["Chad"]


def test_flat_layout_takes_the_landing_folder_itself(tmp_path):
    landing = tmp_path / "landing"
    two_days(str(landing))
    flat = landing / "date=2024-01-02"  # an S3 sink copy, as `pinetl serve` lands it
    results = daily.run_day("2024-01-05", str(flat), str(tmp_path / "w.db"), str(tmp_path / "o"),
                            layout="flat")
    assert results["landing"]["landing"] == str(flat)
    assert results["load"]["tables"]["pin"]["read"] == 600 + 5


def test_failures_name_the_task_and_exit_non_zero(site, tmp_path):
    proc = run_cli("--date", "2024-02-01", "--landing", site["landing"], "--warehouse",
                   site["warehouse"], "--out", site["out"])
    assert proc.returncode == 1 and proc.stdout == ""
    assert "task 'landing' failed: FileNotFoundError: no landing data for 2024-02-01" in proc.stderr
    os.remove(os.path.join(site["landing"], "date=2024-01-01", "user.jsonl"))
    proc = run_cli("--date", "2024-01-01", "--landing", site["landing"], "--warehouse",
                   site["warehouse"], "--out", site["out"])
    assert proc.returncode == 1 and "has no file for table 'user'" in proc.stderr
    proc = run_cli("--date", "2024-13-01", "--landing", "x", "--warehouse", "y", "--out", "z")
    assert proc.returncode == 2 and "day must be a date YYYY-MM-DD" in proc.stderr
    with pytest.raises(daily.TaskError, match="setting 'out' is empty"):
        daily.run_day("2024-01-02", site["landing"], site["warehouse"], "")


def test_yesterday_is_the_utc_day_before(site):
    import datetime as dt
    proc = run_cli("--date", "yesterday", "--landing", site["landing"], "--warehouse",
                   site["warehouse"], "--out", site["out"])
    yesterday = (dt.datetime.now(dt.timezone.utc).date() - dt.timedelta(days=1)).isoformat()
    assert proc.returncode == 1 and f"no landing data for {yesterday}" in proc.stderr


def test_delta_when_configured_merges_each_day_once(site, tmp_path):
    import deltalake
    lake = str(tmp_path / "lake")
    for day in site["days"]:
        result = daily.run_day(day, site["landing"], site["warehouse"], site["out"], delta=lake)
        assert result["delta"]["delta"] == lake
        assert all(t["written"] for t in result["delta"]["tables"].values())
    with pinetl.Warehouse(site["warehouse"], readonly=True) as wh:
        for t in TABLES:
            table = deltalake.DeltaTable(f"{lake}/{t}")
            got = table.to_pyarrow_table()
            # One row per ind, as in the warehouse.
            assert sorted(got.column("ind").to_pylist()) == sorted(
                wh.query(f'SELECT ind FROM "{t}"')["ind"].tolist())
            assert table.transaction_version("pinetl-daily") == 20240102
            rej = deltalake.DeltaTable(f"{lake}/rejects_{t}").to_pyarrow_table()
            assert rej.num_rows == 5
    versions = {t: deltalake.DeltaTable(f"{lake}/{t}").version() for t in TABLES}
    # A re-run of either day commits nothing.
    for day in site["days"]:
        again = daily.run_day(day, site["landing"], site["warehouse"], site["out"], delta=lake)
        assert not any(t["written"] for t in again["delta"]["tables"].values())
    assert {t: deltalake.DeltaTable(f"{lake}/{t}").version() for t in TABLES} == versions
