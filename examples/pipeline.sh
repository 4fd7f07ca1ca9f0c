#!/usr/bin/env bash
# The whole pipeline on one machine, on the embedded default (local files and SQLite; no Spark,
# Kafka or Airflow):
#    1. build the source database (the original's three MySQL tables, as SQLite) from the sample;
#    2. start `pinetl serve` (Kafka REST Proxy v2 + Kinesis gateway) on a free loopback port;
#    3. post 500 posts in batch mode (REST Proxy) with the emulator;
#    4. post 500 posts in stream mode (Kinesis);
#    5. stop the server cleanly (its open files roll into the S3 sink layout);
#    6. drain the streams into the warehouse with `pinetl stream --until-idle`;
#    7. run the daily batch chain on the landed batch data (clean + load, insights, report);
#    8. print a short account (posted, acknowledged, loaded, rejected; rows per table), the top
#       rows of three insights, and where the nine insights and the report are.
# It installs what is missing and builds first. Any failing step stops the run with its name, its
# log and a non-zero exit status.
#   bash examples/pipeline.sh [--verbose] [OUT_DIR]   (default pipeline-run/; emptied first)
# --verbose prints all nine insights in full instead of the three short ones.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/harness.sh"

verbose=0
if [ "${1:-}" = "--verbose" ] || [ "${1:-}" = "-v" ]; then verbose=1; shift; fi
case "${1:-}" in -*) echo "usage: bash examples/pipeline.sh [--verbose] [OUT_DIR]" >&2; exit 2;; esac
out=${1:-$PINETL_ROOT/pipeline-run}
day=$(date -u +%F)
posts=500
tty=0
[ -t 1 ] && tty=1
steps=10 n=0 server=

log_of() { echo "$out/logs/$1.log"; }   # NAME: a word
# step NAME COMMAND...: runs one step with its output in logs/NAME.log; one line per step, or on
# a terminal a line that shows the step running and then its result.
step() {
  local name=$1; shift
  n=$((n + 1))
  local start=$SECONDS log
  log=$(log_of "step-$n")
  if [ $tty = 1 ]; then printf '[%2d/%d] %-58s ...' "$n" "$steps" "$name"; fi
  if ! "$@" > "$log" 2>&1; then
    [ $tty = 1 ] && printf '\r'
    printf '[%2d/%d] %-58s FAILED (%d s)\n' "$n" "$steps" "$name" $((SECONDS - start))
    echo "pipeline: step '$name' failed; the end of $log:" >&2
    tail -n 25 "$log" >&2
    exit 1
  fi
  [ $tty = 1 ] && printf '\r'
  printf '[%2d/%d] %-58s done (%d s)\n' "$n" "$steps" "$name" $((SECONDS - start))
}

stop_server() {
  [ -n "$server" ] || return 0
  kill -TERM "$server" 2>/dev/null || true
  local rc=0
  wait "$server" || rc=$?
  server=
  return $rc
}
trap 'stop_server >/dev/null 2>&1 || true' EXIT

start_server() {
  "$pinetl" serve --listen 127.0.0.1:0 --landing "$out/landing" > "$out/serve.out" \
    2> "$(log_of serve)" &
  server=$!
  for _ in $(seq 1 100); do
    url=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$out/serve.out" | head -n 1)
    [ -n "$url" ] && { echo "pinetl serve: $url (pid $server)"; return 0; }
    kill -0 "$server" 2>/dev/null || { echo "pinetl serve exited"; return 1; }
    sleep 0.1
  done
  echo "pinetl serve did not say where it listens"; return 1
}

rm -rf "$out"
mkdir -p "$out/logs"
step "install what is missing (Debian packages)" pinetl_install_packages
# The options of tests/run.sh's build, so that neither sets the other's build up again.
step "build libpinetl and the pinetl command" pinetl_build "$PINETL_ROOT/build" -Dwerror=true
step "install the Python package into a venv (PyPI)" pinetl_venv emulate,report
pinetl=$PINETL_ROOT/build/libpinetl/cli/pinetl
bin=$PINETL_VENV/bin

step "build the source database from the real sample" \
  "$bin/pinetl-source" build --out "$out/source.db"
step "start pinetl serve on a free loopback port" start_server
step "post $posts posts in batch mode (Kafka REST Proxy v2)" \
  "$bin/pinetl-emulate" --source "$out/source.db" --url "$url" --mode batch --count $posts \
  --seed 1 --summary-json "$out/emulate-batch.json"
step "post $posts posts in stream mode (Kinesis PutRecord/s)" \
  "$bin/pinetl-emulate" --source "$out/source.db" --url "$url" --mode stream --count $posts \
  --seed 2 --summary-json "$out/emulate-stream.json"
step "stop pinetl serve (SIGTERM: flush, roll, close)" stop_server
step "drain the streams into the warehouse (pinetl stream)" \
  "$pinetl" stream --landing "$out/landing" --db "$out/warehouse.db" --until-idle \
  --stats-json "$out/stream.json"
step "daily batch chain for $day (load, insights, report)" \
  "$bin/pinetl-daily" --date "$day" --layout flat --landing "$out/landing" \
  --warehouse "$out/warehouse.db" --out "$out/daily"

# The nine insights in full go to a file; the terminal gets the account and three short ones
# (a few rows each), unless --verbose.
"$pinetl" insights --db "$out/warehouse.db" > "$out/insights.txt"
echo
"$bin/python" "$PINETL_ROOT/examples/pipeline_summary.py" "$out" "$day"
echo
if [ $verbose = 1 ]; then
  cat "$out/insights.txt"
else
  "$pinetl" insights --db "$out/warehouse.db" users_joined_by_year median_followers_by_age_group \
    top_category_by_age_group
fi
echo
echo "insights:   $out/insights.txt (all nine; CSV files in $out/daily/$day/insights/)"
echo "report:     $out/daily/$day/report.html"
echo "warehouse:  $out/warehouse.db"
echo "landing:    $out/landing"
