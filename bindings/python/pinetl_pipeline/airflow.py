"""Callables for Airflow's PythonOperator: plain functions with explicit arguments that return a
small summary dict (fits in an XCom). Nothing here imports Airflow.

    PythonOperator(task_id="clean", python_callable=pinetl_pipeline.airflow.clean_to_warehouse,
                   op_kwargs={"landing": "/data/landing", "warehouse": "/data/pinterest.db"})
"""
import datetime as _dt
import hashlib
import json
import logging
import os
import tempfile

import pinetl
from pinetl import Warehouse, s3sink
from pinetl.errors import FormatError
from pinetl.files import check_target, replace_file
from pinetl.warehouse import insight_names

from . import s3

TABLES = tuple(pinetl.tables())   # the C library's list
# Progress and accounting of the tasks (what Airflow's task log shows): logger
# "pinetl_pipeline.airflow", INFO. Messages start with the task and the day.
log = logging.getLogger(__name__)
_EXTENSIONS = {"csv": "csv", "json": "json", "table": "txt"}


def _is_sink_folder(folder):
    """True when C reads folder as an S3 sink folder (a landing holding topics/, topics/, a topic
    or a partition: libpinetl/SPEC.md, "Folders"); a folder of other files is not one."""
    try:
        s3sink.list_objects(folder, TABLES[0])
    except FormatError:
        return False
    return True


def _bucket_sink_objects(uri, table=None):
    """[(name relative to uri, s3.Object)] of the S3 sink objects under s3://bucket/prefix (of
    table's topics when given), in the readers' order (topic, partition, start offset). Whether a
    key is one is asked of C: its file name parses as an object name and it sits in the
    partition folder C names for it."""
    root = uri.rstrip("/")
    found = []
    for obj in s3.list_objects(root + "/"):
        rel = obj.uri[len(root) + 1:]
        parsed = s3sink.parse_object_name(rel.rsplit("/", 1)[-1])
        if parsed is None:
            continue
        topic, partition, start = parsed
        if rel != f"{s3sink.partition_dir(topic, partition)}/{rel.rsplit('/', 1)[-1]}":
            continue
        if table is not None and s3sink.topic_table(topic) != table:
            continue
        found.append(((topic, partition, start), rel, obj))
    found.sort(key=lambda f: f[0])
    return [(rel, obj) for _, rel, obj in found]


def _named_for(name, table):
    """A flat landing's file of table: its name starts with the table's name and '.', '-' or '_'
    (pin.jsonl, pin-2024-01-01.json, ...)."""
    return name.startswith(table) and name[len(table):len(table) + 1] in (".", "-", "_")


def landing_sources(landing, tables=TABLES):
    """{table: [paths]} of a landing folder or s3://bucket/prefix: the landing itself when it is
    a Kafka Connect S3 sink folder (as C reads folders: pinetl.s3sink), else its files whose names
    start with the table's name (pin.jsonl, pin-2024-01-01.json, ...), sorted. A table without
    files is an error."""
    if s3.is_uri(landing):
        return _bucket_sources(landing, tables)
    if not os.path.isdir(landing):
        raise FileNotFoundError(f"landing folder {landing!r} does not exist")
    if _is_sink_folder(landing):
        return {t: [landing] for t in tables}
    names = sorted(os.listdir(landing))
    out = {}
    for t in tables:
        files = [os.path.join(landing, n) for n in names
                 if _named_for(n, t) and os.path.isfile(os.path.join(landing, n))]
        if not files:
            raise FileNotFoundError(f"landing folder {landing!r} has no file for table {t!r} "
                                    f"(expected {t}.jsonl or {t}-*.json)")
        out[t] = files
    return out


def _bucket_sources(landing, tables):
    root = landing.rstrip("/")
    if _bucket_sink_objects(root):
        return {t: [root] for t in tables}
    names = sorted(o.uri[len(root) + 1:] for o in s3.list_objects(root + "/"))
    out = {}
    for t in tables:
        files = [f"{root}/{n}" for n in names if "/" not in n and _named_for(n, t)]
        if not files:
            raise FileNotFoundError(f"landing {landing!r} has no object for table {t!r} "
                                    f"(expected {t}.jsonl or {t}-*.json, or an S3 sink tree)")
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
            stats = wh.load(sources[t], t, input_format=input_format, threads=threads)
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


# --- The daily chain ------------------------------------------------------------------------------
# One day of the batch side, as tasks that the Airflow DAG (dags/pinterest_batch.py) and the
# runner without Airflow (pinetl_pipeline.daily, `pinetl-daily`) both run, in DAILY_TASKS' order. Every
# task takes the same keyword arguments (day, landing, warehouse, out, delta, layout, threads),
# reads what the previous task left on disk (the warehouse, <out>/<day>/...), and returns a small
# JSON-able summary (an XCom). Each is idempotent for its day: running it again, after a failure
# or not, leaves the warehouse and the files as one run leaves them.
#
#   <landing>/date=YYYY-MM-DD/      the day's landing data (layout "daily", the default): a Kafka
#                                   Connect S3 sink copy (topics/...) or pin/geo/user files;
#                                   layout "flat" takes <landing> itself as the day's data.
#   <out>/YYYY-MM-DD/accounting.json   read, cleaned, rejected by reason, per table (this day)
#   <out>/YYYY-MM-DD/insights.json     the nine insights (the C library's JSON rendering)
#   <out>/YYYY-MM-DD/insights/*.csv    one CSV per insight
#   <out>/YYYY-MM-DD/report.html       the report (pinetl_pipeline.report): one self-contained page
#
# The warehouse keeps a ledger (C's daily_ledger.h, table pinetl_daily_load): per day and table,
# the fingerprint of the files loaded and their accounting. A day whose files have not changed is
# not loaded again, so re-running an old day never overwrites newer rows with older ones.
LAYOUTS = ("daily", "flat")


def check_day(day):
    """day as a date string YYYY-MM-DD (a datetime.date is accepted); anything else is an error."""
    if isinstance(day, _dt.date):
        day = day.isoformat()[:10]
    try:
        _dt.date.fromisoformat(str(day))
    except ValueError:
        raise ValueError(f"day must be a date YYYY-MM-DD, not {day!r}") from None
    if len(day) != 10:
        raise ValueError(f"day must be a date YYYY-MM-DD, not {day!r}")
    return day


def day_landing(landing, day, layout="daily"):
    """The folder holding a day's landing data: <landing>/date=<day> (layout "daily"), or
    <landing> itself (layout "flat")."""
    day = check_day(day)
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}, not {layout!r}")
    if s3.is_uri(landing):
        path = s3.join(landing, f"date={day}") if layout == "daily" else landing.rstrip("/")
        if not s3.exists_under(path):
            raise FileNotFoundError(f"no landing data for {day}: no object under {path!r}")
        return path
    path = os.path.join(landing, f"date={day}") if layout == "daily" else os.fspath(landing)
    if not os.path.isdir(path):
        raise FileNotFoundError(f"no landing data for {day}: folder {path!r} does not exist")
    return path


def _table_files(source, table):
    """The files a source of a table stands for: the file itself, or in an S3 sink folder the
    objects of the table's topics (<table> or <prefix>.<table>) as C lists them for the clean
    (pinetl.s3sink.list_objects), in the order the clean reads them."""
    if os.path.isfile(source):
        return [source]
    if not _is_sink_folder(source):
        return []
    return s3sink.list_objects(source, table)[0]


def _fingerprint(source_list, table):
    """(sha256 of the files' relative names and contents, number of files, bytes)."""
    h = hashlib.sha256()
    count = size = 0
    for source in source_list:
        if s3.is_uri(source):
            # In a bucket: each object's relative name, size and ETag (changes with the content),
            # without downloading it.
            objects = _bucket_sink_objects(source, table) or \
                [(o.uri.rsplit("/", 1)[-1], o) for o in s3.list_objects(source) if o.uri == source]
            for rel, obj in objects:
                h.update(f"{rel}\0{obj.size}\0{obj.etag}\0".encode())
                size += obj.size
                count += 1
            continue
        base = source if os.path.isdir(source) else os.path.dirname(source)
        # Hashed in the order of their relative names' parts (as earlier releases walked the
        # folder), so a ledger written before the listing moved to C still matches.
        files = sorted(_table_files(source, table),
                       key=lambda p: os.path.relpath(p, base).split(os.sep))
        for path in files:
            h.update(os.path.relpath(path, base).encode() + b"\0")
            with open(path, "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    h.update(block)
                    size += len(block)
            h.update(b"\0")
            count += 1
    return h.hexdigest(), count, size


def _write_atomic(path, text):
    """Writes text to path through a temporary file and a rename: readers see the old file or
    the new one, never a part."""
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    check_target(path)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path) or ".", prefix=".tmp-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o644)  # mkstemp's 0600 is for the temporary name only
        replace_file(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def accounting(warehouse, until=None):
    """The ledger of daily loads: one dict per day and table (day, table, files, bytes, read,
    cleaned, rejected, rejected_by_reason, written, fingerprint), days up to `until` when given."""
    if not os.path.exists(warehouse):
        return []
    until = None if until is None else check_day(until)
    with Warehouse(warehouse, readonly=True) as wh:
        return wh.daily_loads(until=until)


def _require(**settings):
    """Each setting must be given (the DAG's params/Variables or the runner's options)."""
    for name, value in settings.items():
        if not value:
            raise ValueError(f"setting {name!r} is empty: give it (the DAG's param or Airflow "
                             f"Variable pinetl_{name}, or pinetl-daily --{name})")


def _day_dir(out, day):
    return os.path.join(out, check_day(day))


def landing_task(day, landing, warehouse=None, out=None, delta="", layout="daily", threads=0):
    """Checks that the day's landing data is there: {"day", "landing", "tables": {table:
    {"files", "bytes"}}}. Fails (FileNotFoundError) when a table has no data."""
    _require(landing=landing)
    folder = day_landing(landing, day, layout)
    log.info("landing %s: checking %s", day, folder)
    sources = landing_sources(folder)
    tables = {}
    for t in TABLES:
        _, count, size = _fingerprint(sources[t], t)
        if count == 0:
            raise FileNotFoundError(f"landing data for {day} in {folder!r} has no {t!r} object")
        tables[t] = {"files": count, "bytes": size}
        log.info("landing %s: %s: %d file(s), %d bytes in %s", day, t, count, size, folder)
    return {"day": check_day(day), "landing": folder, "tables": tables}


def load_task(day, landing, warehouse, out, delta="", layout="daily", threads=0):
    """Cleans the day's landing data into the warehouse (upserts by ind, rejects kept), unless
    the ledger says these very files were loaded for this day already; writes
    <out>/<day>/accounting.json. Returns {"day", "tables": {table: {"read", "cleaned",
    "rejected", "rejected_by_reason", "written", "loaded"}}} ("loaded": false when the ledger
    matched and nothing was done)."""
    _require(landing=landing, warehouse=warehouse, out=out)
    day = check_day(day)
    sources = landing_sources(day_landing(landing, day, layout))
    os.makedirs(os.path.dirname(os.path.abspath(warehouse)), exist_ok=True)
    with Warehouse(warehouse) as wh:
        done = {r["table"]: r for r in wh.daily_loads(day, day)}
    summary = {"day": day, "tables": {}}
    for t in TABLES:
        fingerprint, count, size = _fingerprint(sources[t], t)
        loaded = done.get(t, {}).get("fingerprint") != fingerprint
        log.info("load %s: %s: %d file(s), %d bytes: %s", day, t, count, size,
                 "loading into " + os.fspath(warehouse) if loaded
                 else "already loaded (the ledger has these files)")
        if loaded:
            with Warehouse(warehouse) as wh:
                stats = wh.load(sources[t], t, threads=threads)
                row = {"day": day, "table": t, "fingerprint": fingerprint, "files": count,
                       "bytes": size, "read": stats["read"], "cleaned": stats["cleaned"],
                       "rejected": stats["rejected"],
                       "rejected_by_reason": {k: v for k, v in
                                              stats["rejected_by_reason"].items() if v},
                       "written": stats["load"]["written"]}
                wh.put_daily_load(day, t, fingerprint, files=count, bytes=size,
                                  read=row["read"], cleaned=row["cleaned"],
                                  rejected=row["rejected"],
                                  rejected_by_reason=row["rejected_by_reason"],
                                  written=row["written"])
            done[t] = row
        r = done[t]
        summary["tables"][t] = {k: r[k] for k in ("read", "cleaned", "rejected",
                                                  "rejected_by_reason", "written")}
        summary["tables"][t]["loaded"] = loaded
        log.info("load %s: %s: read %d, cleaned %d, rejected %d%s, written %d", day, t,
                 r["read"], r["cleaned"], r["rejected"],
                 "".join(f", {k} {v}" for k, v in sorted(r["rejected_by_reason"].items())),
                 r["written"])
    rows = [dict(done[t]) for t in TABLES]
    for r in rows:
        r.pop("fingerprint", None)
    _write_atomic(os.path.join(_day_dir(out, day), "accounting.json"),
                  json.dumps({"day": day, "tables": rows}, indent=1, sort_keys=True) + "\n")
    log.info("load %s: wrote %s", day, os.path.join(_day_dir(out, day), "accounting.json"))
    return summary


def delta_task(day, landing, warehouse=None, out=None, delta="", layout="daily", threads=0):
    """When a Delta location is configured: merges the day's cleaned tables into the Delta tables
    <delta>/<table> (one row per ind, the later record wins) and their rejects into
    <delta>/rejects_<table>, with pinetl.delta (delta-rs, no JVM). Each table's commit is the
    application transaction ("pinetl-daily", YYYYMMDD): a day already committed is skipped, so a
    retry or a re-run (also of an older day) changes nothing. Without a Delta location it does
    nothing and returns {"day", "delta": None}; pinetl.delta is not even imported."""
    day = check_day(day)
    if not delta:
        log.info("delta %s: no Delta location configured: nothing to do", day)
        return {"day": day, "delta": None}
    from pinetl import delta as pdelta  # only when configured: it needs deltalake and pyarrow
    sources = landing_sources(day_landing(landing, day, layout))
    root = os.fspath(delta).rstrip("/")
    version = int(day.replace("-", ""))
    tables = {}
    for t in TABLES:
        stats = pdelta.clean_to_delta(sources[t], t, f"{root}/{t}",
                                      rejects_uri=f"{root}/rejects_{t}", mode="merge",
                                      app_id="pinetl-daily", version=version, threads=threads)
        tables[t] = {"read": stats["read"], "cleaned": stats["cleaned"],
                     "rejected": stats["rejected"], "written": bool(stats["written"]),
                     "rejects_written": bool(stats.get("rejects_written"))}
        log.info("delta %s: %s: read %d, cleaned %d, rejected %d: %s %s/%s and %s/rejects_%s",
                 day, t, stats["read"], stats["cleaned"], stats["rejected"],
                 "merged into" if stats["written"] else "already committed to", root, t, root, t)
    return {"day": day, "delta": root, "tables": tables}


def insights_task(day, landing=None, warehouse=None, out=None, delta="", layout="daily",
                  threads=0):
    """Computes the nine insights from the warehouse into <out>/<day>/insights.json (the C
    library's JSON rendering of all nine) and <out>/<day>/insights/<name>.csv. Each insight is
    computed once. Returns {"day", "rows": {name: rows}}."""
    _require(warehouse=warehouse, out=out)
    day = check_day(day)
    folder = _day_dir(out, day)
    parts, rows = [], {}
    with Warehouse(warehouse, readonly=True) as wh:
        for name in insight_names():
            result = wh.insights_result([name])
            try:
                one, csv = result.render("json"), result.render("csv")
            finally:
                result.close()
            rows[name] = len(json.loads(one)[name])
            # '{\n"<name>": [...]\n}\n': the members of all nine, joined as C joins them.
            parts.append(one[len("{\n"):-len("\n}\n")])
            _write_atomic(os.path.join(folder, "insights", f"{name}.csv"), csv)
            log.info("insights %s: %s: %d rows", day, name, rows[name])
    _write_atomic(os.path.join(folder, "insights.json"), "{\n" + ",\n".join(parts) + "\n}\n")
    log.info("insights %s: wrote %s and %s", day, os.path.join(folder, "insights.json"),
             os.path.join(folder, "insights", "*.csv"))
    return {"day": day, "rows": rows}


def report_task(day, landing=None, warehouse=None, out=None, delta="", layout="daily",
                threads=0):
    """Writes <out>/<day>/report.html from the day's insights.json and the ledger's accounting
    of the days up to this one. Returns {"day", "report": path, "bytes": n}."""
    from . import report
    _require(warehouse=warehouse, out=out)
    day = check_day(day)
    folder = _day_dir(out, day)
    with open(os.path.join(folder, "insights.json"), encoding="utf-8") as f:
        insights = json.load(f)
    page = report.render(insights, accounting(warehouse, until=day), day=day)
    path = os.path.join(folder, "report.html")
    _write_atomic(path, page)
    log.info("report %s: wrote %s (%d bytes)", day, path, len(page.encode("utf-8")))
    return {"day": day, "report": path, "bytes": len(page.encode("utf-8"))}


# The chain, in order: (task id, callable). The DAG makes one PythonOperator per entry and chains
# them; pinetl_pipeline.daily runs them one after the other.
DAILY_TASKS = (
    ("landing", landing_task),
    ("load", load_task),
    ("delta", delta_task),
    ("insights", insights_task),
    ("report", report_task),
)
