"""The daily batch DAG of the Pinterest pipeline on pinetl's embedded default (Airflow 3).

Once a day: check the day's landing data, clean and load it into the SQLite warehouse (and into
Delta tables when a Delta location is configured), compute the nine insights, write the report.
The tasks are pinetl_pipeline.airflow.DAILY_TASKS, the chain that `pinetl-daily` runs without Airflow;
each is idempotent for its day (a retry or a re-run changes nothing) and returns a small summary
as its XCom. Data passes between tasks through the warehouse and files, never through XComs.

The day a run covers is the one that ended when it was triggered: with Airflow 3's @daily (a
CronTriggerTimetable, whose data interval is empty) the run of logical date D covers D - 1; with
a timetable that has data intervals (Airflow 2's), the interval's start day; without a logical
date, the day before the run's run_after. Its landing data
is <landing>/date=YYYY-MM-DD (layout "daily"; "flat" takes <landing> itself).

Configuration, per run (`airflow dags trigger -c '{"landing": ...}'`, which overrides the
params) or else the Airflow Variables pinetl_landing, pinetl_warehouse, pinetl_out, pinetl_delta
(optional), pinetl_layout (optional). No secrets are involved: an s3:// landing or Delta location
takes its credentials from the worker's standard AWS configuration (docs/s3-pipeline.md). The
workers need pinetl[report], plus the delta extra for a Delta location and the s3 extra for s3://.
"""
from datetime import datetime, timedelta

from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG, Param, chain

import pinetl_pipeline.airflow

# The covered day (see above), as a Jinja template over the run's context; a run without a
# logical date (an Airflow 3 manual run may have none) covers the day before its run_after.
DAY = ("{% if ds is not defined %}{{ macros.ds_add(dag_run.run_after | ds, -1) }}"
       "{% elif data_interval_start < data_interval_end %}{{ data_interval_start | ds }}"
       "{% else %}{{ macros.ds_add(ds, -1) }}{% endif %}")


def _setting(name):
    """A run's setting: the param (run conf) when given, else the Airflow Variable."""
    return f"{{{{ params.{name} or var.value.get('pinetl_{name}', '') }}}}"


with DAG(
    dag_id="pinterest_batch",
    description="Pinterest pipeline, batch side: landing -> warehouse (+ Delta) -> insights "
                "-> report",
    schedule="@daily",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"owner": "pinetl", "retries": 1, "retry_delay": timedelta(minutes=2)},
    params={
        "landing": Param("", type="string",
                         description="landing folder or s3://bucket/prefix "
                                     "(Variable pinetl_landing)"),
        "warehouse": Param("", type="string", description="SQLite warehouse file"),
        "out": Param("", type="string", description="output folder (OUT/YYYY-MM-DD/...)"),
        "delta": Param("", type="string",
                       description="Delta tables location (folder or s3://); empty: no Delta"),
        "layout": Param("", type="string", description="'daily' (default) or 'flat'"),
    },
    tags=["pinetl", "pinterest"],
    doc_md=__doc__,
) as dag:
    kwargs = {"day": DAY, "landing": _setting("landing"), "warehouse": _setting("warehouse"),
              "out": _setting("out"), "delta": _setting("delta"),
              "layout": "{{ params.layout or var.value.get('pinetl_layout', 'daily') }}"}
    chain(*[PythonOperator(task_id=task_id, python_callable=task, op_kwargs=kwargs)
            for task_id, task in pinetl_pipeline.airflow.DAILY_TASKS])
