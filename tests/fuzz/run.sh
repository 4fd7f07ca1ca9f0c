#!/usr/bin/env bash
# Runs every libFuzzer target for a set time and files what it finds.
#   bash tests/fuzz/run.sh [--seconds N] [TARGET ...]      (default: 60 s each, every target)
# Builds build-fuzz with clang (-Dfuzzing=true; installs clang and its runtime when missing), then
# runs each target from its committed corpus (tests/fuzz/corpus/<target>) plus a scratch corpus,
# with the dictionary. A crash, leak or timeout input is copied to tests/fuzz/pending/<target>/
# (the replay tests pick it up once it moves to the corpus with its fix). Prints one line per
# target and exits 1 when any target found something.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
seconds=60 targets=()
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) seconds=$2; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fuzz/run.sh: unknown option '$1'" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
source "$root/scripts/harness.sh"
set +e
pinetl_install_packages clang libclang-rt-14-dev || exit 1
dir=$root/build-fuzz
CC=clang pinetl_build "$dir" -Dfuzzing=true -Dbuildtype=debugoptimized || exit 1
if [ ${#targets[@]} -eq 0 ]; then
  # Executables only (meson's <target>.p object folders match the pattern too), each once
  # (tests/fuzz matches both patterns).
  mapfile -t targets < <(find "$dir/tests" -maxdepth 2 -type f -perm -u+x -name 'fuzz_*' \
                           ! -name '*_replay' -printf '%f\n' | sort -u)
fi
found=0
for t in "${targets[@]}"; do
  exe=$(find "$dir" -type f -name "$t" -perm -u+x | head -n 1)
  [ -n "$exe" ] || { echo "$t: not built"; found=1; continue; }
  corpus=$(find "$root/tests" -type d -path "*/corpus/$t" | head -n 1)
  scratch=$(mktemp -d)
  artifacts=$(mktemp -d)
  dict=$(find "$root/tests" -name "$t.dict" | head -n 1)   # a target's own, else the records'
  [ -n "$dict" ] || dict=$root/tests/fuzz/pinetl.dict
  log=$artifacts/log
  "$exe" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$artifacts/" ${dict:+-dict="$dict"} "$scratch" ${corpus:+"$corpus"} > "$log" 2>&1
  rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
  bad=$(find "$artifacts" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \))
  if [ -n "$bad" ] || [ $rc -ne 0 ]; then
    found=1
    mkdir -p "$root/tests/fuzz/pending/$t"
    for f in $bad; do cp "$f" "$root/tests/fuzz/pending/$t/"; done
    echo "$t: FOUND after ${runs:-?} runs ($cov): $(echo $bad | wc -w) input(s) in tests/fuzz/pending/$t"
    grep -m 3 -E 'ERROR|SUMMARY|runtime error' "$log" | sed 's/^/    /'
  else
    echo "$t: clean, ${runs:-?} runs in ${seconds} s ($cov)"
  fi
  rm -rf "$scratch" "$artifacts"
done
exit $found
