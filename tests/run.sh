#!/usr/bin/env bash
# The whole test suite: install what is missing, build, run the C tests (plain and under
# AddressSanitizer + UndefinedBehaviorSanitizer), the Python tests, the manual's build
# (tests/docs/run.sh) and the README's first command (tests/examples/run.sh), then print one
# closing line "tests: N passed, N failed". Exit status 0 only when everything passed.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/harness.sh"
pinetl_install_packages || exit 1

passed=0
failed=0
skipped=0
logs=$(mktemp -d)

# What the Python and wheel steps need first is made in the background while the C tests run:
# the main venv, the Airflow tests' venv and the wheels (and, on a new machine, the downloads and
# toolchain caches behind them). At a lower priority, so that the C tests keep the cores; the
# Python steps wait for it, and make again whatever it failed to make. Its log: prepare.log.
prepare() {
  renice -n 10 -p "$BASHPID" > /dev/null
  pinetl_venv || return 1
  PINETL_PYTHON=$PINETL_VENV/bin/python bash "$PINETL_ROOT/tests/airflow/venv.sh" > /dev/null || return 1
  bash "$PINETL_ROOT/scripts/wheel.sh" --arch all "$logs/dist" > /dev/null
}
prepare > "$logs/prepare.log" 2>&1 &
prepare_pid=$!

# Counts the results of a meson test run from its JSON log.
count_meson() {
  local log=$1/meson-logs/testlog.json
  [ -f "$log" ] || { failed=$((failed + 1)); return; }
  read -r p f s < <(python3 - "$log" <<'PY'
import json, sys
p = f = s = 0
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["result"] in ("OK", "EXPECTEDFAIL"):
        p += 1
    elif r["result"] == "SKIP":
        s += 1
    else:
        f += 1
        print("FAILED:", r["name"], file=sys.stderr)
print(p, f, s)
PY
)
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
}

run_meson_suite() {
  local dir=$1; shift
  echo "== C tests ($dir)"
  if ! pinetl_build "$dir" "$@" -Dwerror=true; then
    echo "build failed: $dir"; failed=$((failed + 1)); return
  fi
  meson test -C "$dir" --num-processes 2 --print-errorlogs > "$logs/$(basename "$dir").log" 2>&1
  tail -n 12 "$logs/$(basename "$dir").log"
  count_meson "$dir"
}

run_meson_suite "$PINETL_ROOT/build"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  run_meson_suite "$PINETL_ROOT/build-asan" -Dbuildtype=debug -Db_sanitize=address,undefined -Db_lundef=false

echo "== Python tests"
wait_start=$SECONDS
if wait "$prepare_pid"; then
  export PINETL_VENV_READY=1 PINETL_WHEEL_DIR=$logs/dist
else
  echo "the background preparation failed (the steps below make what is missing):"
  tail -n 20 "$logs/prepare.log"
fi
echo "(waited $((SECONDS - wait_start)) s for the venvs and wheels made during the C tests)"
source "$PINETL_ROOT/tests/python/run.sh"

echo "== Wheel tests (scripts/wheel.sh's wheels: x86_64 on CPython 3.10 to 3.13 and runtime 14.3's Spark, aarch64 under qemu)"
source "$PINETL_ROOT/tests/wheels/run.sh"

source "$PINETL_ROOT/tests/docs/run.sh"

source "$PINETL_ROOT/tests/examples/run.sh"

echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
