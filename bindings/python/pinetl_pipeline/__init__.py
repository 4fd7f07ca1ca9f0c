"""pinetl_pipeline: the Pinterest pipeline around the pinetl binding.

Modules: source (the emulator's source database), emulate (the posting emulator), kafka (the
direct producer and the S3-sink consumer), airflow (the daily chain's PythonOperator callables),
daily (the same chain without Airflow), databricks_jobs (the Databricks notebook's jobs), report
(the daily HTML report). Each imports what it needs on first use; this package imports pinetl and
pinetl never imports it (tests/structure/test_layers_python.py)."""
