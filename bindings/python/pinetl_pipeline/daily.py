"""The daily batch chain for one day, without Airflow: the tasks of pinetl_pipeline.airflow.DAILY_TASKS
(the same ones the DAG dags/pinterest_batch.py runs), one after the other.

    pinetl-daily --date 2024-01-01 --landing landing --warehouse pinterest.db --out reports
    python -m pinetl_pipeline.daily --date 2024-01-01 --landing landing --warehouse pinterest.db \
        --out reports

For cron, the day that just ended:  5 0 * * *  pinetl-daily --date yesterday --landing ... (etc.)
Prints one line per task (its summary); exits 0 when every task succeeded, 1 when a task failed
(after a message naming it), 2 for a usage error. Running a day again changes nothing.
"""
import argparse
import datetime as _dt
import json
import sys
import time

from . import airflow as _tasks


class TaskError(Exception):
    """A task of the chain failed: .task_id names it; the cause is chained (__cause__)."""

    def __init__(self, task_id, cause):
        super().__init__(f"task {task_id!r} failed: {type(cause).__name__}: {cause}")
        self.task_id = task_id


def run_day(day, landing, warehouse, out, delta="", layout="daily", threads=0, log=None):
    """Runs the chain for a day; returns {task id: summary}. A failing task raises TaskError
    (the tasks after it do not run). log(task_id, summary, seconds) is called after each task."""
    kwargs = dict(day=_tasks.check_day(day), landing=landing, warehouse=warehouse, out=out,
                  delta=delta or "", layout=layout, threads=threads)
    results = {}
    for task_id, task in _tasks.DAILY_TASKS:
        start = time.monotonic()
        try:
            results[task_id] = task(**kwargs)
        except Exception as e:
            raise TaskError(task_id, e) from e
        if log is not None:
            log(task_id, results[task_id], time.monotonic() - start)
    return results


def _describe(task_id, summary):
    if task_id == "landing":
        return ", ".join(f"{t} {v['files']} file(s) {v['bytes']:,} B"
                         for t, v in summary["tables"].items())
    if task_id == "load":
        parts = []
        for t, v in summary["tables"].items():
            reasons = ", ".join(f"{k} {n}" for k, n in sorted(v["rejected_by_reason"].items()))
            parts.append(f"{t} read {v['read']} cleaned {v['cleaned']} rejected {v['rejected']}"
                         + (f" ({reasons})" if reasons else "")
                         + ("" if v["loaded"] else " [already loaded]"))
        return "; ".join(parts)
    if task_id == "delta":
        if summary["delta"] is None:
            return "no Delta location configured"
        return f"Delta tables under {summary['delta']}: " + ", ".join(
            f"{t} {'merged' if v['written'] else 'already committed'}"
            for t, v in summary["tables"].items())
    if task_id == "insights":
        return f"{len(summary['rows'])} insights, {sum(summary['rows'].values())} rows"
    if task_id == "report":
        return f"{summary['report']} ({summary['bytes']:,} B)"
    return json.dumps(summary)


def _day(text):
    today = _dt.datetime.now(_dt.timezone.utc).date()
    if text == "today":
        return today.isoformat()
    if text == "yesterday":
        return (today - _dt.timedelta(days=1)).isoformat()
    try:
        return _tasks.check_day(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def main(argv=None):
    p = argparse.ArgumentParser(
        prog="pinetl-daily",
        description="Runs the daily batch chain for one day (the Airflow DAG's tasks, without "
                    "Airflow): check the landing data, clean and load it into the warehouse "
                    "(and Delta when --delta is given), compute the insights, write the report.")
    p.add_argument("--date", required=True, type=_day,
                   help="the day: YYYY-MM-DD, 'today' or 'yesterday' (UTC)")
    p.add_argument("--landing", required=True,
                   help="landing folder or s3://bucket/prefix; the day's data is in "
                        "LANDING/date=YYYY-MM-DD (or LANDING itself with --layout flat)")
    p.add_argument("--warehouse", required=True, help="SQLite warehouse file (created if absent)")
    p.add_argument("--out", required=True,
                   help="output folder; the day's files go to OUT/YYYY-MM-DD/")
    p.add_argument("--layout", choices=_tasks.LAYOUTS, default="daily",
                   help="daily: LANDING/date=YYYY-MM-DD (default); flat: LANDING is the day")
    p.add_argument("--delta", default="",
                   help="also write Delta tables under this location (a folder or s3://...)")
    p.add_argument("--threads", type=int, default=0, help="cleaning threads (0: one per core)")
    p.add_argument("--json", action="store_true",
                   help="print the tasks' summaries as one JSON object at the end")
    args = p.parse_args(argv)

    def log(task_id, summary, seconds):
        print(f"pinetl-daily {args.date}: {task_id} ok ({seconds:.2f} s): "
              f"{_describe(task_id, summary)}", flush=True)

    try:
        results = run_day(args.date, args.landing, args.warehouse, args.out, args.delta,
                          args.layout, args.threads, log)
    except TaskError as e:
        print(f"pinetl-daily {args.date}: {e}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(results, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
