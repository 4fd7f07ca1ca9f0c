"""The sample clean that tests/wheels/run.sh compares across architectures: pinetl.read_json on
each table's real sample (tests/data/real-sample), printed as counts and SHA-256 digests of the
cleaned rows and the rejects (CSV), so two machines' outputs can be compared line for line.
Usage: python sample_clean.py SAMPLE_DIR"""
import hashlib
import platform
import sys

import pinetl

sample = sys.argv[1]
print(f"# pinetl {pinetl.version()} on {platform.machine()}", file=sys.stderr)
for table in ("pin", "geo", "user"):
    result = pinetl.read_json(f"{sample}/{table}.jsonl", table)
    rows = result.rows.to_csv(index=False).encode()
    rejects = result.rejects.to_csv(index=False).encode()
    print(table, len(result.rows), len(result.rejects), hashlib.sha256(rows).hexdigest(),
          hashlib.sha256(rejects).hexdigest())
