#!/usr/bin/env bash
# The main job on the embedded default: install what is missing, build, then run the pipeline on
# the bundled real sample: clean each table (rejects kept aside), load the SQLite warehouse, and
# print the insights.   bash examples/pipeline.sh [OUT_DIR]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
pinetl_install_packages
pinetl_build "$PINETL_ROOT/build"

pinetl="$PINETL_ROOT/build/libpinetl/cli/pinetl"
sample="$PINETL_ROOT/tests/data/real-sample"
out=${1:-$PINETL_ROOT/build/pipeline}
mkdir -p "$out"

for table in pin geo user; do
  echo "== clean $table: $sample/$table.jsonl -> $out/$table.clean.jsonl"
  "$pinetl" clean --table "$table" --rejects "$out/$table.rejects.jsonl" \
    "$sample/$table.jsonl" > "$out/$table.clean.jsonl"
done
