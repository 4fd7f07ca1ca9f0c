#!/usr/bin/env bash
# The wheels as users get them (scripts/wheel.sh; docs/wheels.md).
# x86_64: for each CPython 3.10 to 3.13, a venv gets the wheel's dependencies first, then the wheel
# by `pip install`, and pytest runs the binding tests against the installed package
# (PINETL_EXPECT_INSTALLED=1):
# - CPython 3.10 with the oldest supported Databricks LTS runtime's versions
#   (requirements/constraints-dbr14.3.txt: numpy 1.23.5, pandas 1.5.3, pyarrow 8.0.0, cffi 1.15.1);
# - CPython 3.11 with runtime 15.4's (requirements/constraints-dbr15.4.txt: pyarrow 14.0.1);
# - CPython 3.12, 3.13 with the test venv's versions (requirements/constraints.txt).
# Each time, pip must leave every version the venv had as it was (the wheel's floors admit them).
# aarch64: the wheel under qemu (tests/wheels/aarch64.sh): import and the sample clean, whose
# output must equal the x86_64 wheel's on CPython 3.12 (the same dependency versions).
# The oldest runtime's Spark: tests/wheels/dbr.sh (pyspark 3.5.0 and its Delta in the 3.10 venv).
# The venvs ($PINETL_VENV-wheeltest-3.X) are kept between runs; pinetl is uninstalled and the pins
# installed again first, so each run installs the wheel as into a fresh venv with those versions.
# Sourced by tests/run.sh (uses PINETL_ROOT, pinetl_build, passed, failed, logs); run alone:
#   bash tests/wheels/run.sh [WHEEL...]    (default: the wheels scripts/wheel.sh builds now)
if [ -z "${PINETL_ROOT:-}" ]; then
  source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/harness.sh"
  set +e
  pinetl_install_packages || exit 1
  passed=0 failed=0 logs=$(mktemp -d) PINETL_WHEELS_ALONE=1
fi
source "$PINETL_ROOT/scripts/pythons.sh"
source "$PINETL_ROOT/tests/wheels/aarch64.sh"
source "$PINETL_ROOT/tests/wheels/dbr.sh"

# The binding's own tests (no service, no extra beyond the wheel's dependencies and pytest).
PINETL_WHEEL_TESTS=(test_clean_json.py test_read_json.py test_pandas_versions.py test_errors.py
  test_envelopes.py test_bad_values_are_rejects.py test_text_columns.py test_insights_warehouse.py)

# pinetl_wheel_test WHEEL X.Y PIP_ARGS...: the venv of CPython X.Y with PIP_ARGS installed, then
# WHEEL; passes when pip upgraded nothing and the binding tests pass.
pinetl_wheel_test() {
  local wheel=$1 v=$2 venv=$PINETL_VENV-wheeltest-$2 py log start=$SECONDS; shift 2
  echo "== wheel on CPython $v ($venv)"
  log=$(mktemp)
  if ! py=$(pinetl_python "$v") ||
     ! { [ -x "$venv/bin/python" ] || "$py" -m venv "$venv"; } >"$log" 2>&1 ||
     ! { "$venv/bin/pip" uninstall -q -y pinetl && "$venv/bin/pip" install -q "$@"; } >"$log" 2>&1; then
    tail -n 30 "$log"; rm -f "$log"; echo "setup of $venv failed"; failed=$((failed + 1)); return
  fi
  "$venv/bin/pip" freeze > "$log.before"
  if ! "$venv/bin/pip" install -q "$wheel" >"$log" 2>&1; then
    tail -n 30 "$log"; echo "pip install $wheel failed on CPython $v"; failed=$((failed + 1))
  elif "$venv/bin/pip" freeze | grep -v '^pinetl' | diff "$log.before" - >"$log"; then
    echo "pip changed no installed version"; passed=$((passed + 1))
  else
    echo "installing the wheel changed installed versions:"; cat "$log"; failed=$((failed + 1))
  fi
  rm -f "$log" "$log.before"
  # One count per venv: the pytest run passed or not (its own summary line names the tests).
  # (bin/pytest, not python -P -m pytest: CPython 3.10 has no -P; the script does not put the
  # working directory on sys.path either.)
  if (cd "$PINETL_ROOT" && PINETL_EXPECT_INSTALLED=1 PINETL_CLI=$PINETL_ROOT/build/libpinetl/cli/pinetl \
      "$venv/bin/pytest" -q -m "not service" -p no:cacheprovider \
      "${PINETL_WHEEL_TESTS[@]/#/tests/python/bindings/}"); then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
  fi
  echo "(CPython $v: $((SECONDS - start)) s)"
}

wheels=("$@")
# PINETL_WHEEL_DIR: scripts/wheel.sh's wheels, made by tests/run.sh while the C tests ran.
if [ ${#wheels[@]} -eq 0 ] && [ -n "${PINETL_WHEEL_DIR:-}" ]; then
  mapfile -t wheels < <(ls "$PINETL_WHEEL_DIR"/pinetl-*.whl 2>/dev/null)
fi
if [ ${#wheels[@]} -eq 0 ]; then
  wheel_start=$SECONDS
  mapfile -t wheels < <(bash "$PINETL_ROOT/scripts/wheel.sh" --arch all "$logs/dist") || echo "scripts/wheel.sh failed"
  echo "(scripts/wheel.sh --arch all: $((SECONDS - wheel_start)) s)"
fi
wheel_x86_64="" wheel_aarch64=""
for w in "${wheels[@]}"; do
  case $w in *_x86_64.whl) wheel_x86_64=$w;; *_aarch64.whl) wheel_aarch64=$w;; esac
done
# The CLI, for the value-for-value comparisons.
pinetl_build "$PINETL_ROOT/build" -Dwerror=true || { echo "build failed: build"; failed=$((failed + 1)); }
export PIP_DISABLE_PIP_VERSION_CHECK=1
if [ -z "$wheel_x86_64" ]; then
  echo "no x86_64 wheel"; failed=$((failed + 1))
else
  pinetl_wheel_test "$wheel_x86_64" 3.10 -r "$PINETL_ROOT/requirements/constraints-dbr14.3.txt"
  pinetl_wheel_test "$wheel_x86_64" 3.11 -r "$PINETL_ROOT/requirements/constraints-dbr15.4.txt"
  for v in 3.12 3.13; do
    pinetl_wheel_test "$wheel_x86_64" "$v" -c "$PINETL_ROOT/requirements/constraints.txt" cffi numpy pandas pyarrow pytest
  done
  pinetl_dbr_spark_test "$wheel_x86_64"
fi
if [ -z "$wheel_aarch64" ]; then
  echo "no aarch64 wheel"; failed=$((failed + 1))
elif ! "$PINETL_VENV-wheeltest-3.12/bin/python" -s "$PINETL_ROOT/tests/wheels/sample_clean.py" \
       "$PINETL_ROOT/tests/data/real-sample" > "$logs/sample-clean-x86_64.txt"; then
  echo "the sample clean failed on x86_64 (CPython 3.12)"; failed=$((failed + 1))
else
  pinetl_aarch64_test "$wheel_aarch64" "$logs/sample-clean-x86_64.txt"
fi

if [ -n "${PINETL_WHEELS_ALONE:-}" ]; then
  echo "tests: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
fi
