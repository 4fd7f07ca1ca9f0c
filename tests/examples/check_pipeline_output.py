"""Checks what examples/pipeline.sh printed against the files its run wrote.

    python check_pipeline_output.py STDOUT_FILE RUN_DIR PINETL_CLI

Exit status 1 with one line per problem. The account's numbers must be those of the run's JSON
files (not merely present), the output short (the nine insights in full are in insights.txt,
whose names are asked of the CLI), and the paths it names must exist.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

MAX_LINES = 60  # ten steps, the account, three short insights and the paths: about 45


def problems(out: str, run: Path, cli: str) -> list[str]:
    found = []
    lines = out.splitlines()
    if len(lines) > MAX_LINES:
        found.append(f"{len(lines)} lines printed, more than {MAX_LINES}")
    steps = [line for line in lines if re.match(r"\[\s*\d+/\d+\]", line)]
    if not steps or any(not line.rstrip().endswith("s)") or "done" not in line for line in steps):
        found.append("not every step says done")
    batch = json.loads((run / "emulate-batch.json").read_text())
    stream = json.loads((run / "emulate-stream.json").read_text())
    drained = json.loads((run / "stream.json").read_text())
    acked = batch["acknowledged"] + stream["acknowledged"]
    if acked == 0 or f"{acked:,} acknowledged" not in out:
        found.append(f"the account does not say {acked:,} acknowledged")
    if f"streamed    {drained['records']:,} records" not in out:
        found.append(f"the account does not say {drained['records']:,} records streamed")
    (day_dir,) = (run / "daily").iterdir()
    accounting = json.loads((day_dir / "accounting.json").read_text())
    read = sum(t["read"] for t in accounting["tables"])
    if f"batch       {read:,} records read" not in out:
        found.append(f"the account does not say {read:,} records read by the daily chain")
    names = subprocess.run([cli, "insights", "--list"], capture_output=True, text=True,
                           check=True).stdout.split()
    full = (run / "insights.txt").read_text()
    missing = [n for n in names if n not in full]
    if len(names) != 9 or missing:
        found.append(f"insights.txt lacks {missing} of {names}")
    shown = [n for n in names if re.search(rf"^{n} \(\d+ rows\)$", out, re.M)]
    if len(shown) != 3:
        found.append(f"{len(shown)} insights shown, expected the three short ones: {shown}")
    for label, path in re.findall(r"^(insights|report|warehouse|landing): +(\S+)", out, re.M):
        if not Path(path).exists():
            found.append(f"{label} path {path} does not exist")
    if not re.search(r"^report: +\S+report\.html$", out, re.M):
        found.append("no report path")
    return found


if __name__ == "__main__":
    text = Path(sys.argv[1]).read_text()
    bad = problems(text, Path(sys.argv[2]), sys.argv[3])
    for line in bad:
        print("pipeline output:", line, file=sys.stderr)
    sys.exit(1 if bad else 0)
