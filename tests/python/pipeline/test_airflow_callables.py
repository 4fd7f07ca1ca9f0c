"""pinetl_pipeline.airflow: PythonOperator callables with explicit arguments and XCom-sized summaries."""
import json
import os
import shutil
import subprocess
import sys

import pytest

import pinetl
import pinetl_pipeline.airflow as pa
from conftest import SAMPLE


@pytest.fixture
def landing(tmp_path):
    d = tmp_path / "landing"
    d.mkdir()
    for t in ("pin", "geo", "user"):
        shutil.copy(SAMPLE / f"{t}.jsonl", d / f"{t}.jsonl")
    (d / "geo-extra.json").write_text('[{"ind": 99999, "country": "Chad"}, {"ind": null}]')
    (d / "pinboard.txt").write_text("not a table file")
    return d


def test_clean_to_warehouse_then_insights_to_files(landing, tmp_path):
    db = tmp_path / "wh.db"
    summary = pa.clean_to_warehouse(str(landing), str(db))
    assert len(json.dumps(summary)) < 4096  # fits an XCom
    assert set(summary["tables"]) == {"pin", "geo", "user"}
    lines = sum(1 for line in open(SAMPLE / "geo.jsonl", "rb") if line.strip())
    geo = summary["tables"]["geo"]
    assert geo["read"] == lines + 2 and geo["rejected"] >= 1
    assert geo["read"] == geo["cleaned"] + geo["rejected"]
    assert summary["rejected"] == sum(t["rejected"] for t in summary["tables"].values())

    again = pa.clean_to_warehouse(str(landing), str(db))
    assert all(t["written"] == 0 for t in again["tables"].values())

    out = tmp_path / "insights"
    files = pa.insights_to_files(str(db), str(out))
    assert len(json.dumps(files)) < 4096
    assert len(files["files"]) == 9
    for name, f in files["files"].items():
        text = open(f["path"], encoding="utf-8").read()
        assert f["path"].endswith(f"{name}.csv")
        assert len(text.strip().splitlines()) == 1 + f["rows"]  # header + rows


def test_s3_sink_landing_is_passed_whole(tmp_path):
    d = tmp_path / "topics" / "x.pin" / "partition=0"
    d.mkdir(parents=True)
    assert pa.landing_sources(str(tmp_path)) == {t: [str(tmp_path)] for t in ("pin", "geo", "user")}


def test_missing_table_file_is_a_clear_error(tmp_path):
    (tmp_path / "pin.jsonl").write_text("")
    with pytest.raises(FileNotFoundError, match="table 'geo'"):
        pa.clean_to_warehouse(str(tmp_path), str(tmp_path / "w.db"))


def test_importing_pinetl_for_a_dag_file_leaves_pandas_unloaded():
    # Airflow imports DAG files each time it parses them: `import pinetl` must stay light, and
    # pandas loads when a DataFrame is first made.
    code = ("import sys, pinetl, pinetl_pipeline.airflow\n"
            "assert 'pandas' not in sys.modules\n"
            "assert pinetl.scalar.follower_count('10k') == 10000\n"
            "assert 'pandas' not in sys.modules\n"
            "rows = pinetl.clean_json(b'{\"index\": 1}', 'pin').rows\n"
            "assert 'pandas' in sys.modules and len(rows) == 1\n"
            "print('ok')\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [os.path.dirname(os.path.dirname(pinetl.__file__))] +
        [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"
