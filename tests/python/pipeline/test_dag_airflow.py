"""The DAGs on a real Airflow 3 (apache-airflow from PyPI, in its own venv: tests/airflow/venv.sh,
exact versions in tests/airflow/constraints.txt): the DagBag imports dags/ with no error, and
dags/pinterest_batch.py runs end to end with dag.test() on a SQLite metadata database (made by
`airflow db migrate` in a temporary AIRFLOW_HOME), recovering from a failed first attempt by its
retry. Airflow runs in a subprocess of that venv; this process never imports it."""
import json
import os
import pathlib
import subprocess
import sys

import pytest

import pinetl
import pinetl_pipeline.airflow as pa
import pinetl_pipeline.daily as daily
from conftest import ROOT
from pipeline_fixtures import small_json, snapshot, two_days

DAGS = ROOT / "dags"
HARNESS = ROOT / "tests" / "airflow" / "run_dag.py"


@pytest.fixture(scope="module")
def airflow(tmp_path_factory):
    """Runs a command of the Airflow venv with AIRFLOW_HOME set to a migrated SQLite database;
    pinetl and pinetl_pipeline are the packages under test (a folder with only them, first on
    PYTHONPATH)."""
    proc = subprocess.run(["bash", str(ROOT / "tests" / "airflow" / "venv.sh")],
                          env=dict(os.environ, PINETL_PYTHON=sys.executable),
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-4000:]
    python = proc.stdout.strip().splitlines()[-1]
    home = tmp_path_factory.mktemp("airflow_home")
    pkg = home / "pythonpath"
    pkg.mkdir()
    (pkg / "pinetl").symlink_to(pathlib.Path(pinetl.__file__).parent)
    (pkg / "pinetl_pipeline").symlink_to(pathlib.Path(pa.__file__).parent)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.update(AIRFLOW_HOME=str(home), PYTHONPATH=str(pkg), AIRFLOW__CORE__DAGS_FOLDER=str(DAGS),
               AIRFLOW__CORE__LOAD_EXAMPLES="False", AIRFLOW__CORE__UNIT_TEST_MODE="False",
               # INFO, Airflow's default: the task log then shows pinetl's own lines.
               AIRFLOW__LOGGING__LOGGING_LEVEL="INFO")
    bindir = os.path.dirname(python)
    migrate = subprocess.run([os.path.join(bindir, "airflow"), "db", "migrate"], env=env,
                             capture_output=True, text=True)
    assert migrate.returncode == 0, migrate.stdout[-3000:] + migrate.stderr[-3000:]
    assert (home / "airflow.db").is_file()

    def run(*args):
        p = subprocess.run([python, str(HARNESS), *map(str, args)], env=env,
                           capture_output=True, text=True)
        assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-6000:]
        return json.loads(p.stdout.strip().splitlines()[-1]), p.stdout + p.stderr
    return run


def test_dagbag_imports_both_dags_without_errors(airflow):
    bag, _ = airflow("dagbag", DAGS)
    assert bag["import_errors"] == {}
    assert set(bag["dags"]) == {"pinterest_batch", "pinterest_databricks"}
    for dag in bag["dags"].values():
        assert dag["schedule"] == "@daily" and dag["catchup"] is False
        for task in dag["tasks"].values():
            assert task["retries"] == 1 and task["retry_delay_s"] == 120.0
    batch = bag["dags"]["pinterest_batch"]["tasks"]
    # The DAG is the chain pinetl-daily runs: the same callables, in the same order.
    assert list(batch) == [t for t, _ in pa.DAILY_TASKS]
    previous = []
    for task_id, fn in pa.DAILY_TASKS:
        task = batch[task_id]
        assert task["operator"] == "airflow.providers.standard.operators.python.PythonOperator"
        assert task["callable"] == f"pinetl_pipeline.airflow.{fn.__name__}"
        assert task["upstream"] == previous
        previous = [task_id]
    submit = bag["dags"]["pinterest_databricks"]["tasks"]["submit_batch_notebook"]
    assert submit["operator"].endswith("databricks.DatabricksSubmitRunOperator")


def test_the_day_a_run_covers(airflow):
    # @daily in Airflow 3 (CronTriggerTimetable: empty interval): the run of 2024-01-03 covers
    # 2024-01-02; a timetable with intervals: the interval's first day; no logical date: the
    # day before run_after.
    days, _ = airflow("day", DAGS)
    assert days == {"cron_trigger": "2024-01-02", "data_interval": "2024-01-03",
                    "no_logical_date": "2024-01-02"}


def test_dag_test_run_recovers_from_a_failed_attempt_by_its_retry(airflow, tmp_path):
    landing = tmp_path / "landing"
    two_days(str(landing))
    conf = {"landing": str(landing), "warehouse": str(tmp_path / "wh.db"),
            "out": str(tmp_path / "out")}
    flag = tmp_path / "fail-once"
    flag.write_text("the load's first attempt fails after its work is done\n")
    # Logical date 2024-01-03: @daily's run covers the day that ended, 2024-01-02.
    result, log = airflow("test", DAGS, "pinterest_batch", "2024-01-03T00:00:00", json.dumps(conf),
                          "--fail-once", "load", flag)
    assert result["state"] == "success", log[-5000:]
    assert {t: v["state"] for t, v in result["tis"].items()} == {
        t: "success" for t, _ in pa.DAILY_TASKS}
    # The load failed once (its first try is in the history) and its retry succeeded.
    assert result["tis"]["load"]["try_number"] == 2
    assert {t: v["try_number"] for t, v in result["tis"].items() if t != "load"} == {
        t: 1 for t, _ in pa.DAILY_TASKS if t != "load"}
    assert result["history"] == [{"task_id": "load", "state": "failed", "try_number": 1}]
    assert "injected failure after the task's work" in log
    assert not result["flag_left"]
    # XComs: small summaries. The retry found the first attempt's load in the ledger.
    xcoms = result["xcoms"]
    assert set(xcoms) == {t for t, _ in pa.DAILY_TASKS}
    for value in xcoms.values():
        small_json(value)
        assert value["day"] == "2024-01-02"
    assert all(not t["loaded"] for t in xcoms["load"]["tables"].values())
    assert xcoms["delta"]["delta"] is None
    assert xcoms["report"]["report"] == str(tmp_path / "out" / "2024-01-02" / "report.html")

    # The run with a failure and a retry leaves exactly what one clean run of the chain leaves.
    ref = tmp_path / "ref"
    daily.run_day("2024-01-02", str(landing), str(ref / "wh.db"), str(ref / "out"))
    assert snapshot(conf["warehouse"], conf["out"]) == snapshot(ref / "wh.db", ref / "out")


def test_dag_test_runs_the_delta_enabled_dag_and_its_task_log_shows_pinetls_accounting(
        airflow, tmp_path):
    """The venv has deltalake (as a worker installed with the `delta` extra): the batch DAG with
    a Delta location runs end to end under dag.test(), its Delta tables equal those of one
    pinetl-daily run, and the task log shows pinetl's progress and accounting (Python logging,
    loggers under pinetl_pipeline)."""
    import deltalake
    landing = tmp_path / "landing"
    two_days(str(landing))
    lake = tmp_path / "lake"
    conf = {"landing": str(landing), "warehouse": str(tmp_path / "wh.db"),
            "out": str(tmp_path / "out"), "delta": str(lake)}
    result, log = airflow("test", DAGS, "pinterest_batch", "2024-01-03T00:00:00", json.dumps(conf))
    assert result["state"] == "success", log[-5000:]
    assert {t: v["state"] for t, v in result["tis"].items()} == {
        t: "success" for t, _ in pa.DAILY_TASKS}
    xcom = result["xcoms"]["delta"]
    assert xcom["delta"] == str(lake)
    assert all(v["written"] and v["rejects_written"] for v in xcom["tables"].values())
    ref = tmp_path / "ref"
    summary = daily.run_day("2024-01-02", str(landing), str(ref / "wh.db"), str(ref / "out"),
                            delta=str(ref / "lake"))
    for name in [t for t in pa.TABLES] + [f"rejects_{t}" for t in pa.TABLES]:
        got = deltalake.DeltaTable(str(lake / name)).to_pyarrow_table()
        want = deltalake.DeltaTable(str(ref / "lake" / name)).to_pyarrow_table()
        assert got.num_rows > 0
        assert sorted(map(repr, got.to_pylist())) == sorted(map(repr, want.to_pylist()))
    # pinetl's lines in the task log, between the tasks' start and end.
    for t in pa.TABLES:
        load = summary["load"]["tables"][t]
        assert (f"load 2024-01-02: {t}: read {load['read']}, cleaned {load['cleaned']}, "
                f"rejected {load['rejected']}") in log, log[-5000:]
        assert f"delta 2024-01-02: {t}: read {load['read']}" in log
    assert f"report 2024-01-02: wrote {tmp_path / 'out' / '2024-01-02' / 'report.html'}" in log
