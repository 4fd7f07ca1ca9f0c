"""Callables for Airflow's PythonOperator: plain functions with explicit arguments that return a
small summary dict (fits in an XCom). Nothing here imports Airflow.

    PythonOperator(task_id="clean", python_callable=pinetl.airflow.clean_to_warehouse,
                   op_kwargs={"landing": "/data/landing", "warehouse": "/data/pinterest.db"})
"""
import os

from ._warehouse import Warehouse, insight_names

TABLES = ("pin", "geo", "user")
_EXTENSIONS = {"csv": "csv", "json": "json", "table": "txt"}


def landing_sources(landing, tables=TABLES):
    """{table: [paths]} of a landing folder: the folder itself when it holds a Kafka Connect S3
    sink layout (a topics/ folder), else its files whose names start with the table's name
    (pin.jsonl, pin-2024-01-01.json, ...), sorted. A table without files is an error."""
    if os.path.isdir(os.path.join(landing, "topics")):
        return {t: [landing] for t in tables}
    if not os.path.isdir(landing):
        raise FileNotFoundError(f"landing folder {landing!r} does not exist")
    names = sorted(os.listdir(landing))
    out = {}
    for t in tables:
        files = [os.path.join(landing, n) for n in names
                 if n.startswith(t) and n[len(t):len(t) + 1] in (".", "-", "_")
                 and os.path.isfile(os.path.join(landing, n))]
        if not files:
            raise FileNotFoundError(f"landing folder {landing!r} has no file for table {t!r} "
                                    f"(expected {t}.jsonl or {t}-*.json)")
        out[t] = files
    return out


def clean_to_warehouse(landing, warehouse, tables=TABLES, input_format="auto", threads=0):
    """Cleans a landing folder into the SQLite warehouse (upserts by ind; rejects kept in the
    rejects table). Loading the same files again changes nothing. Returns
    {"warehouse": path, "tables": {table: {"read", "cleaned", "rejected", "written"}},
     "rejected": total, "notices": [...]}."""
    sources = landing_sources(landing, tables)
    summary = {"warehouse": os.fspath(warehouse), "tables": {}, "rejected": 0, "notices": []}
    with Warehouse(warehouse) as wh:
        for t in tables:
            stats = wh.load(t, sources[t], input_format=input_format, threads=threads)
            summary["tables"][t] = {"read": stats["read"], "cleaned": stats["cleaned"],
                                    "rejected": stats["rejected"],
                                    "written": stats["load"]["written"]}
            summary["rejected"] += stats["rejected"]
            summary["notices"] += stats["notices"]
    return summary


def insights_to_files(warehouse, out_dir, names=None, format="csv", median="approx"):
    """Computes the insights in the warehouse and writes one file per insight into out_dir
    (<name>.csv, .json or .txt, rendered by the C library). Returns
    {"out_dir": path, "files": {name: {"path": ..., "rows": n}}}."""
    os.makedirs(out_dir, exist_ok=True)
    names = list(names) if names is not None else insight_names()
    ext = _EXTENSIONS.get(format)
    if ext is None:
        raise ValueError(f"format must be one of {sorted(_EXTENSIONS)}, not {format!r}")
    files = {}
    with Warehouse(warehouse, readonly=True) as wh:
        for name in names:
            result = wh.insights_result([name], median)
            try:
                rows = len(result.frames()[name])
                path = os.path.join(out_dir, f"{name}.{ext}")
                with open(path, "w", encoding="utf-8") as f:
                    f.write(result.render(format))
            finally:
                result.close()
            files[name] = {"path": path, "rows": rows}
    return {"out_dir": os.fspath(out_dir), "files": files}
