"""Runs in the Airflow tests' venv (tests/airflow/venv.sh), started by tests/python/pipeline/test_dag_*.py
with AIRFLOW_HOME set to a fresh temporary folder whose SQLite metadata database `airflow db
migrate` made. Prints one JSON object on the last line of stdout.

    run_dag.py dagbag DAGS_FOLDER
        the DagBag of the folder: import errors, and each DAG's schedule, catchup and tasks
        (operator class, retries, retry delay).
    run_dag.py day DAGS_FOLDER
        the batch DAG's covered day, rendered for three kinds of run.
    run_dag.py test DAGS_FOLDER DAG_ID LOGICAL_DATE CONF_JSON [--fail-once TASK FLAG_FILE]
        dag.test() of one run; with --fail-once, TASK's first attempt runs the real task and
        then fails while FLAG_FILE exists (removing it), so only a retry can finish the run. The
        retry delay is cut to 1 s for the test (the DAG's own is checked by `dagbag`). Then reads
        the metadata database: the run's state, each task instance's state and try number, the
        failed tries kept in task_instance_history, and the XComs.
"""
import functools
import json
import os
import sqlite3
import sys
from datetime import datetime, timedelta, timezone


def dagbag(folder):
    from airflow.dag_processing.dagbag import DagBag
    bag = DagBag(dag_folder=folder)
    dags = {}
    for dag_id, dag in bag.dags.items():
        dags[dag_id] = {
            "fileloc": os.path.basename(dag.fileloc),
            "schedule": str(getattr(dag, "schedule", None)),
            "timetable": type(dag.timetable).__name__,
            "catchup": dag.catchup,
            "tasks": {t.task_id: {"operator": type(t).__module__ + "." + type(t).__name__,
                                  "retries": t.retries,
                                  "retry_delay_s": t.retry_delay.total_seconds(),
                                  "upstream": sorted(t.upstream_task_ids),
                                  "callable": (f"{t.python_callable.__module__}."
                                               f"{t.python_callable.__name__}"
                                               if hasattr(t, "python_callable") else None)}
                      for t in dag.tasks},
        }
    return {"import_errors": {k: str(v) for k, v in bag.import_errors.items()}, "dags": dags}


def day(folder):
    """The batch DAG's covered-day template rendered as Airflow renders op_kwargs (its Jinja
    environment: strict undefined, Airflow's filters and macros) for three kinds of run."""
    import types

    from airflow.dag_processing.dagbag import DagBag
    from airflow.sdk.execution_time.context import MacrosAccessor
    bag = DagBag(dag_folder=folder)
    task = bag.get_dag("pinterest_batch").get_task("load")
    utc = timezone.utc
    d3 = datetime(2024, 1, 3, tzinfo=utc)
    cases = {
        "cron_trigger": {"ds": "2024-01-03", "logical_date": d3, "data_interval_start": d3,
                         "data_interval_end": d3},
        "data_interval": {"ds": "2024-01-03", "logical_date": d3,
                          "data_interval_start": d3, "data_interval_end": d3 + timedelta(days=1)},
        "no_logical_date": {"dag_run": types.SimpleNamespace(
            run_after=datetime(2024, 1, 3, 6, 30, tzinfo=utc))},
    }
    out = {}
    for name, ctx in cases.items():
        ctx = dict(ctx, macros=MacrosAccessor())
        out[name] = task.render_template(task.op_kwargs["day"], ctx,
                                         jinja_env=task.get_template_env())
    return out


def _fail_once(callable_, flag):
    # functools.wraps: PythonOperator passes the arguments the real task's signature names.
    @functools.wraps(callable_)
    def run(*args, **kwargs):
        result = callable_(*args, **kwargs)
        if os.path.exists(flag):
            os.unlink(flag)
            raise RuntimeError(f"injected failure after the task's work (flag {flag})")
        return result
    return run


def test(folder, dag_id, logical_date, conf, fail_task=None, flag=None):
    from airflow.dag_processing.dagbag import DagBag
    bag = DagBag(dag_folder=folder)
    assert not bag.import_errors, bag.import_errors
    dag = bag.get_dag(dag_id)
    for task in dag.tasks:
        task.retry_delay = timedelta(seconds=1)
    if fail_task:
        task = dag.get_task(fail_task)
        task.python_callable = _fail_once(task.python_callable, flag)
    when = datetime.fromisoformat(logical_date).replace(tzinfo=timezone.utc)
    dr = dag.test(logical_date=when, run_conf=conf)
    db = os.path.join(os.environ["AIRFLOW_HOME"], "airflow.db")
    con = sqlite3.connect(db)
    run_id = dr.run_id
    tis = {r[0]: {"state": r[1], "try_number": r[2]} for r in con.execute(
        "SELECT task_id, state, try_number FROM task_instance WHERE dag_id = ? AND run_id = ?",
        (dag_id, run_id))}
    history = [{"task_id": r[0], "state": r[1], "try_number": r[2]} for r in con.execute(
        "SELECT task_id, state, try_number FROM task_instance_history"
        " WHERE dag_id = ? AND run_id = ? ORDER BY task_id, try_number", (dag_id, run_id))]
    xcoms = {}
    for task_id, value in con.execute(
            "SELECT task_id, value FROM xcom WHERE dag_id = ? AND run_id = ? AND key = ?",
            (dag_id, run_id, "return_value")):
        xcoms[task_id] = json.loads(value) if isinstance(value, (str, bytes)) else value
    state = con.execute("SELECT state FROM dag_run WHERE dag_id = ? AND run_id = ?",
                        (dag_id, run_id)).fetchone()[0]
    con.close()
    return {"run_id": run_id, "state": state, "tis": tis, "history": history, "xcoms": xcoms,
            "flag_left": bool(flag and os.path.exists(flag))}


def main(argv):
    if argv[0] == "dagbag":
        out = dagbag(argv[1])
    elif argv[0] == "day":
        out = day(argv[1])
    elif argv[0] == "test":
        fail_task = flag = None
        if len(argv) > 5 and argv[5] == "--fail-once":
            fail_task, flag = argv[6], argv[7]
        out = test(argv[1], argv[2], argv[3], json.loads(argv[4]), fail_task, flag)
    else:
        raise SystemExit(f"unknown command {argv[0]!r}")
    sys.stdout.flush()
    print("\n" + json.dumps(out, default=str))


if __name__ == "__main__":
    main(sys.argv[1:])
