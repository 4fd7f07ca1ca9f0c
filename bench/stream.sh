#!/usr/bin/env bash
# Streaming benchmark (issue 12): `pinetl stream`'s sustained consumer throughput and its
# end-to-end latency, from a record's append to its stream log (then fdatasync, as `pinetl serve`
# does before acknowledging) to its row committed in the SQLite warehouse.
#
#   bash bench/stream.sh [--rows N] [--seed S] [--rate R] [--seconds S] [--build DIR]
#
#   --rows N      records per stream for the throughput run (default 200000; three streams)
#   --rate R      records per second in all for the latency runs (default 1000)
#   --seconds S   length of each latency run (default 20)
#   --build DIR   a release build to use (default build-bench, set up when missing)
#
# Throughput: the three logs are written first (generated pin, geo and user records, as
# bench/run makes them), then `pinetl stream --until-idle` drains them into a new warehouse;
# records/s = records committed / its wall time. Latency: a feeder appends one record per append
# (a PutRecord) at R records/s across the three streams, each append synced, while
# `pinetl stream --follow` runs; the consumer measures, for every record it commits, commit time
# minus the record's arrival time (stamped at append, before the sync), and reports p50/p99 at
# SIGTERM. Two latency runs: --batch-ms 0 (commit as soon as the logs are drained) and the
# default --batch-ms 100 (micro-batches of up to 100 ms).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
ROWS=200000 SEED=1 RATE=1000 SECONDS_=20
BUILD=${PINETL_BENCH_BUILD:-build-bench}
while [ $# -gt 0 ]; do
    case $1 in
    --rows) ROWS=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --rate) RATE=$2; shift 2 ;;
    --seconds) SECONDS_=$2; shift 2 ;;
    --build) BUILD=$2; shift 2 ;;
    -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench/stream.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
done
OUT=bench/out
SCRATCH=$OUT/stream
mkdir -p "$OUT" "$SCRATCH"
PY=/usr/bin/python3
say() { printf '%s\n' "$*" >&2; }

for dep in /usr/include/sqlite3.h /usr/include/cjson/cJSON.h; do
    [ -f "$dep" ] || { say "bench/stream.sh: $dep is missing (libsqlite3-dev, libcjson-dev)"; exit 1; }
done
[ -x /usr/bin/time ] || { say "bench/stream.sh: GNU time (/usr/bin/time) is missing"; exit 1; }

# ---- build ----
if [ ! -f "$BUILD/build.ninja" ]; then
    meson setup "$BUILD" --buildtype=release -Dtests=false -Dcli=true -Dpython=false > "$OUT/stream-build.log" 2>&1
fi
ninja -C "$BUILD" libpinetl/cli/pinetl libpinetl/libpinetl.a >> "$OUT/stream-build.log" 2>&1
PINETL=$BUILD/libpinetl/cli/pinetl
FEED=$SCRATCH/stream_feed
cc -O2 -std=c11 -D_GNU_SOURCE -Ilibpinetl/include -o "$FEED" bench/stream_feed.c \
    "$BUILD/libpinetl/libpinetl.a" -lsqlite3 -lcjson -lpthread -lm

# ---- data (the generator of bench/run) ----
GEN=$OUT/generate
if [ ! -x "$GEN" ] || [ bench/generate.c -nt "$GEN" ]; then
    cc -O2 -std=c11 -D_GNU_SOURCE -o "$GEN" bench/generate.c -lcjson -lm
fi
IN=$OUT/pin-s$SEED-n$ROWS.jsonl
if [ ! -f "$IN" ] || [ ! -f "${IN/pin-/geo-}" ] || [ ! -f "${IN/pin-/user-}" ]; then
    say "generating $ROWS rows per table (seed $SEED)"
    "$GEN" --rows "$ROWS" --seed "$SEED" --out "$OUT"
fi
FILES=("$IN" "${IN/pin-/geo-}" "${IN/pin-/user-}")
json() { $PY -c 'import json, sys; d = json.load(open(sys.argv[1])); print(d[sys.argv[2]])' "$@"; }
RESULTS=$OUT/stream-results.tsv
printf 'run\trecords\tseconds\trecords_per_s\tp50_ms\tp99_ms\tmax_ms\tpeak_rss_kb\n' > "$RESULTS"

# ---- throughput ----
L=$SCRATCH/landing DB=$SCRATCH/warehouse.db
rm -rf "$L" "$DB" "$DB-wal" "$DB-shm"
say "writing $((3 * ROWS)) records into three stream logs"
"$FEED" "$L" bench --bulk "${FILES[@]}" > /dev/null
cat "$L"/streams/*/*.log > /dev/null   # warm: the consumer reads from the page cache
sync
say "measuring: pinetl stream --until-idle"
/usr/bin/time -f '%e %M' -o "$SCRATCH/time" \
    "$PINETL" stream --landing "$L" --db "$DB" --until-idle --quiet --stats-json "$SCRATCH/drain.json"
read -r wall rss < "$SCRATCH/time"
rec=$(json "$SCRATCH/drain.json" records)
printf 'drain (--until-idle, batches of 10000)\t%s\t%s\t%s\t\t\t\t%s\n' "$rec" "$wall" \
    "$($PY -c "print(round($rec / $wall))")" "$rss" >> "$RESULTS"

# ---- latency ----
latency() { # latency BATCH_MS
    rm -rf "$L" "$DB" "$DB-wal" "$DB-shm"
    "$FEED" "$L" bench --bulk /dev/null /dev/null /dev/null > /dev/null   # the logs exist first
    "$PINETL" stream --landing "$L" --db "$DB" --follow --quiet --batch-ms "$1" \
        --stats-json "$SCRATCH/follow.json" &
    local pid=$!
    sleep 0.5
    say "measuring: latency at $RATE records/s for $SECONDS_ s, --batch-ms $1"
    "$FEED" "$L" bench --rate "$RATE" --seconds "$SECONDS_" "${FILES[@]}" > "$SCRATCH/feed.txt"
    sleep 1
    kill -TERM "$pid"
    wait "$pid"
    # records appended, and the seconds the feeder took for them (it falls behind on a busy machine)
    local appended secs
    read -r appended _ _ secs _ < "$SCRATCH/feed.txt"
    $PY - "$SCRATCH/follow.json" "$1" "$appended" "$secs" >> "$RESULTS" << 'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
appended, secs = int(sys.argv[3]), float(sys.argv[4])
if d["records"] != appended:
    sys.exit("bench/stream.sh: the consumer committed %d records, the feeder appended %d" % (d["records"], appended))
print("follow, 1 record per append (--batch-ms %s)\t%d\t%.1f\t%.0f\t%.2f\t%.2f\t%.2f\t" % (
    sys.argv[2], appended, secs, appended / secs,
    d["latency_p50_us"] / 1000, d["latency_p99_us"] / 1000, d["latency_max_us"] / 1000))
PYEOF
}
latency 0
latency 100
rm -rf "$L" "$DB" "$DB-wal" "$DB-shm"

# ---- report ----
echo "pinetl stream: $ROWS generated records per stream (three streams) for the drain;"
echo "latency = row committed - record appended (the append is then synced), per record;"
echo "follow rows: records/s is the feeder's achieved rate (target $RATE), every record committed."
column -t -s $'\t' "$RESULTS"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), load $(cut -d' ' -f1 /proc/loadavg)"
