"""The daily chain's tasks log their progress and accounting through Python `logging` (loggers
under pinetl_pipeline, level INFO), which is what Airflow's task log shows between a task's start
and end: per table the records read, cleaned and rejected (by reason) and written, and every path
written."""
import logging

import pinetl_pipeline.daily as daily
from pipeline_fixtures import TABLES, two_days


def test_tasks_log_progress_and_accounting_per_table_and_the_paths_written(tmp_path, caplog):
    landing = tmp_path / "landing"
    two_days(str(landing))
    out, wh, lake = tmp_path / "out", tmp_path / "wh.db", tmp_path / "lake"
    caplog.set_level(logging.INFO, logger="pinetl_pipeline")
    results = daily.run_day("2024-01-02", str(landing), str(wh), str(out), delta=str(lake))
    records = [r for r in caplog.records if r.name.startswith("pinetl_pipeline.")]
    assert records and all(r.levelno == logging.INFO for r in records)
    text = "\n".join(r.getMessage() for r in records)
    day = landing / "date=2024-01-02"
    for t in TABLES:
        load = results["load"]["tables"][t]
        reasons = "".join(f", {k} {v}" for k, v in sorted(load["rejected_by_reason"].items()))
        assert (f"load 2024-01-02: {t}: read {load['read']}, cleaned {load['cleaned']}, "
                f"rejected {load['rejected']}{reasons}, written {load['written']}") in text
        assert load["rejected"] > 0 and reasons            # day 2 has rejects of each reason
        files = results["landing"]["tables"][t]
        assert (f"landing 2024-01-02: {t}: {files['files']} file(s), {files['bytes']} bytes "
                f"in {day}") in text
        d = results["delta"]["tables"][t]
        assert (f"delta 2024-01-02: {t}: read {d['read']}, cleaned {d['cleaned']}, rejected "
                f"{d['rejected']}: merged into {lake}/{t} and {lake}/rejects_{t}") in text
    assert f"landing 2024-01-02: checking {day}" in text
    assert f"load 2024-01-02: wrote {out / '2024-01-02' / 'accounting.json'}" in text
    assert f"insights 2024-01-02: wrote {out / '2024-01-02' / 'insights.json'}" in text
    assert f"report 2024-01-02: wrote {out / '2024-01-02' / 'report.html'}" in text
    # A re-run says what it skipped, and why.
    caplog.clear()
    daily.run_day("2024-01-02", str(landing), str(wh), str(out), delta=str(lake))
    text = "\n".join(r.getMessage() for r in caplog.records)
    for t in TABLES:
        files = results["landing"]["tables"][t]
        assert (f"load 2024-01-02: {t}: {files['files']} file(s), {files['bytes']} bytes: "
                "already loaded (the ledger has these files)") in text
        assert f"already committed to {lake}/{t}" in text
