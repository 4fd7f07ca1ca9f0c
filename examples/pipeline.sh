#!/usr/bin/env bash
# The main job on the embedded default: install what is missing, build, then run the pipeline on
# the bundled real sample (tests/data/real-sample):
#   1. clean each table to JSON lines, rejects kept aside with their reasons;
#   2. load each table into the SQLite warehouse (one row per ind, idempotent);
#   3. print the nine insights from the warehouse.
#   bash examples/pipeline.sh [OUT_DIR]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
pinetl_install_packages
pinetl_build "$PINETL_ROOT/build"

pinetl="$PINETL_ROOT/build/libpinetl/cli/pinetl"
sample="$PINETL_ROOT/tests/data/real-sample"
out=${1:-$PINETL_ROOT/build/pipeline}
mkdir -p "$out"
db="$out/warehouse.db"
rm -f "$db" "$db-wal" "$db-shm"

for table in pin geo user; do
  echo "== clean $table: $sample/$table.jsonl -> $out/$table.clean.jsonl (rejects: $out/$table.rejects.jsonl)"
  "$pinetl" clean --table "$table" --rejects "$out/$table.rejects.jsonl" \
    --summary-json "$out/$table.summary.json" "$sample/$table.jsonl" > "$out/$table.clean.jsonl"
done

for table in pin geo user; do
  echo "== load $table into $db"
  "$pinetl" load --db "$db" --table "$table" "$sample/$table.jsonl"
done

echo "== insights from $db"
"$pinetl" insights --db "$db"
