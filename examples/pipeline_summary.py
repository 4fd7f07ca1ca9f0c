"""The short account that examples/pipeline.sh prints at the end of a run.

It reads what the steps wrote (the emulator's and `pinetl stream`'s JSON summaries, the daily
chain's accounting.json and the warehouse) and prints a few aligned lines: what was posted and
acknowledged, what each path loaded or rejected, and the warehouse's rows per table. The table
names come from the daily chain's accounting, so no list of tables is restated here.

    python examples/pipeline_summary.py RUN_DIR DAY
"""

import json
import sqlite3
import sys
from pathlib import Path


def _load(path: Path) -> dict:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def summary_lines(run: Path, day: str) -> list[str]:
    batch = _load(run / "emulate-batch.json")
    stream = _load(run / "emulate-stream.json")
    drained = _load(run / "stream.json")
    accounting = _load(run / "daily" / day / "accounting.json")
    tables = [t["table"] for t in accounting["tables"]]
    read = sum(t["read"] for t in accounting["tables"])
    cleaned = sum(t["cleaned"] for t in accounting["tables"])
    rejected = sum(t["rejected"] for t in accounting["tables"])
    with sqlite3.connect(f"file:{run / 'warehouse.db'}?mode=ro", uri=True) as db:
        rows = {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    posts = batch["posts"] + stream["posts"]
    posted = batch["posted"] + stream["posted"]
    acked = batch["acknowledged"] + stream["acknowledged"]
    failed = batch["failed"] + stream["failed"]
    return [
        f"posted      {posts:,} posts as {posted:,} records ({batch['posted']:,} batch, "
        f"{stream['posted']:,} stream): {acked:,} acknowledged, {failed:,} failed",
        f"streamed    {drained['records']:,} records into the warehouse, "
        f"{drained['rejects']:,} rejected (pinetl stream)",
        f"batch       {read:,} records read, {cleaned:,} cleaned, {rejected:,} rejected "
        f"(daily chain for {day})",
        "warehouse   " + ", ".join(f"{t} {n:,} rows" for t, n in rows.items())
        + " (one row per ind)",
    ]


if __name__ == "__main__":
    print("\n".join(summary_lines(Path(sys.argv[1]), sys.argv[2])))
