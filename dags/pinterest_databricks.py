"""The daily batch DAG of the Pinterest pipeline on Databricks (Airflow 3, as the original ran
it on MWAA): submits the notebook examples/databricks/pinterest_notebook.py (imported into the
workspace) to an existing cluster with DatabricksSubmitRunOperator, once a day, in batch mode.

Everything deployment-specific comes from Airflow, nothing from this file:
- the connection `databricks_default` (host and token, kept by Airflow or its secrets backend);
- the Variables pinetl_databricks_cluster_id (the cluster to run on),
  pinetl_databricks_notebook_path (the notebook's workspace path,
      e.g. /Users/<you>/pinterest_notebook),
  pinetl_databricks_landing (the S3 sink copy, e.g. s3://<bucket>/ or a mount),
  pinetl_databricks_delta_root (where the Delta tables go).
The cluster needs the pinetl wheel installed (a cluster library).
"""
from datetime import datetime, timedelta

from airflow.providers.databricks.operators.databricks import DatabricksSubmitRunOperator
from airflow.sdk import DAG

with DAG(
    dag_id="pinterest_databricks",
    description="Pinterest pipeline, batch side on Databricks: the notebook with pinetl.spark "
                "and Delta",
    schedule="@daily",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"owner": "pinetl", "retries": 1, "retry_delay": timedelta(minutes=2)},
    tags=["pinetl", "pinterest", "databricks"],
    doc_md=__doc__,
) as dag:
    DatabricksSubmitRunOperator(
        task_id="submit_batch_notebook",
        databricks_conn_id="databricks_default",
        existing_cluster_id="{{ var.value.pinetl_databricks_cluster_id }}",
        notebook_task={
            "notebook_path": "{{ var.value.pinetl_databricks_notebook_path }}",
            "base_parameters": {
                "mode": "batch",
                "landing": "{{ var.value.pinetl_databricks_landing }}",
                "delta_root": "{{ var.value.pinetl_databricks_delta_root }}",
            },
        },
        run_name="pinterest_batch_{{ ds }}",
        # One submission per logical date: a retry of this task does not start a second run.
        idempotency_token="pinterest_batch_{{ ds }}",
    )
