#!/usr/bin/env bash
# The Python tests, with packages from PyPI in one venv ($PINETL_VENV, default .venv, made with the
# first python3 on PATH; scripts/harness.sh's pinetl_venv):
# 1. the whole suite once, against the package installed into the venv with
#    `pip install '.[every extra but airflow]'` (build isolation, versions pinned by
#    requirements/constraints.txt): this pass includes the tests that start services (Spark,
#    Delta on Spark, a Kafka broker, MariaDB, pinetl serve, Airflow in its own venv, Chromium);
# 2. the binding-level tests again, against the build tree (BUILD/bindings/python, built with the
#    venv's meson and cffi): `-m "not service"`. The `service` marker (pyproject.toml) is set by
#    conftest.py on every test that uses the spark, kafka_broker, mariadb or airflow fixture, and
#    by pytestmark in the modules that start a server themselves; those tests exercise the
#    services' side, which the build tree does not change, and take most of the time, so they
#    run once;
# 3. the binding-level pandas tests (read_json, clean_json, pinetl.pandas, warehouse frames)
#    against the same build tree with the OTHER pandas major: constraints.txt pins pandas 3 for the
#    main venv, requirements/constraints-pandas2.txt pins pandas 2 for a small second venv
#    ($PINETL_VENV_PANDAS2, default .venv-pandas2: the binding's runtime dependencies and pytest
#    only), so both majors are tested on every run.
# Sourced by tests/run.sh (uses PINETL_ROOT, pinetl_build, pinetl_venv, logs, passed, failed);
# run alone:
#   bash tests/python/run.sh
if [ -z "${PINETL_ROOT:-}" ]; then
  source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/harness.sh"
  set +e
  pinetl_install_packages || exit 1
  passed=0 failed=0 skipped=0 logs=$(mktemp -d) PINETL_PY_ALONE=1
fi

# Adds a pytest JUnit XML report's counts to passed/failed/skipped.
count_pytest() {
  local counts p f s
  counts=$(python3 - "$1" <<'PY'
import sys, xml.etree.ElementTree as ET
try:
    root = ET.parse(sys.argv[1]).getroot()
except (OSError, ET.ParseError):
    print(0, 1, 0)
    raise SystemExit
suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
t = sum(int(s.get("tests", 0)) for s in suites)
bad = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
skip = sum(int(s.get("skipped", 0)) for s in suites)
print(t - bad - skip, bad if t else max(bad, 1), skip)
PY
)
  read -r p f s <<< "$counts"
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
}

# The binding-level tests that build DataFrames, run again with the other pandas major.
PINETL_PANDAS_TESTS=(test_pandas_versions.py test_read_json.py test_clean_json.py
  test_pandas_engine.py test_text_columns.py test_insights_warehouse.py
  test_bad_values_are_rejects.py test_envelopes.py test_threads.py)

# Step 3: makes (or updates) the pandas-2 venv and runs PINETL_PANDAS_TESTS against $py_build.
pinetl_other_pandas_tests() {
  local venv=${PINETL_VENV_PANDAS2:-$PINETL_ROOT/.venv-pandas2} start=$SECONDS log main other
  local pins=$PINETL_ROOT/requirements/constraints-pandas2.txt
  echo "== Python tests (build tree, the other pandas major: $venv)"
  log=$(mktemp)
  # The pins file lists every package of the venv at its version: installed as requirements.
  if ! { [ -x "$venv/bin/python" ] || python3 -m venv "$venv"; } >"$log" 2>&1 ||
     ! PIP_DISABLE_PIP_VERSION_CHECK=1 "$venv/bin/pip" install -r "$pins" >"$log" 2>&1; then
    tail -n 40 "$log"; rm -f "$log"
    echo "setup of $venv failed"; failed=$((failed + 1)); return
  fi
  rm -f "$log"
  main=$("$PINETL_VENV/bin/python" -c 'import pandas; print(pandas.__version__)')
  other=$("$venv/bin/python" -c 'import pandas; print(pandas.__version__)')
  echo "pandas $other here, $main in $PINETL_VENV"
  if [ "${main%%.*}" = "${other%%.*}" ]; then
    echo "both venvs have pandas ${main%%.*}: requirements/constraints*.txt must pin both majors"
    failed=$((failed + 1)); return
  fi
  (cd "$PINETL_ROOT" && PINETL_BUILD_DIR=$py_build PINETL_CLI=$cli_build/libpinetl/cli/pinetl \
    "$venv/bin/python" -P -m pytest -q -m "not service" -p no:cacheprovider \
    --junitxml="$logs/python-pandas$other.xml" "${PINETL_PANDAS_TESTS[@]/#/tests/python/bindings/}")
  count_pytest "$logs/python-pandas$other.xml"
  echo "(pandas $other step: $((SECONDS - start)) s)"
}

# pinetl serve's and pinetl stream's metrics, health checks and access log: pytest files under
# tests/serve (they parse /metrics with the venv's prometheus_client); in the installed pass only
# (they start servers: the `service` marker).
PINETL_SERVE_PYTESTS=(tests/serve/test_serve_metrics.py tests/serve/test_stream_metrics_file.py)

py_build=$PINETL_ROOT/build-py
cli_build=$PINETL_ROOT/build
echo "== Python tests (installed: pip install '.[$PINETL_EXTRAS]' into $PINETL_VENV)"
# The CLI, for the value-for-value comparisons (tests/run.sh built it already).
pinetl_build "$cli_build" -Dwerror=true || { echo "build failed: $cli_build"; failed=$((failed + 1)); }
# PINETL_VENV_READY: tests/run.sh made the venv already, while the C tests ran.
if [ "${PINETL_VENV_READY:-0}" = 1 ] || pinetl_venv; then
  (cd "$PINETL_ROOT" && PINETL_EXPECT_INSTALLED=1 PINETL_CLI=$cli_build/libpinetl/cli/pinetl \
    "$PINETL_VENV/bin/python" -P -m pytest -q \
    -p no:cacheprovider --junitxml="$logs/python-venv.xml" tests/python "${PINETL_SERVE_PYTESTS[@]}")
  count_pytest "$logs/python-venv.xml"

  echo "== Python tests (build tree: $py_build; -m 'not service')"
  # The venv's meson, so that the extension is built for (and with the cffi of) the venv's Python.
  if PATH=$PINETL_VENV/bin:$PATH pinetl_build "$py_build" -Dpython=true -Dtests=false -Dwerror=true; then
    (cd "$PINETL_ROOT" && PINETL_BUILD_DIR=$py_build PINETL_CLI=$cli_build/libpinetl/cli/pinetl \
      "$PINETL_VENV/bin/python" -P -m pytest -q -m "not service" \
      -p no:cacheprovider --junitxml="$logs/python-build.xml" tests/python)
    count_pytest "$logs/python-build.xml"
    pinetl_other_pandas_tests
  else
    echo "build failed: $py_build"; failed=$((failed + 1))
  fi
else
  echo "pip install failed"; failed=$((failed + 1))
fi

if [ -n "${PINETL_PY_ALONE:-}" ]; then
  echo "tests: $passed passed, $failed failed, $skipped skipped"
  [ "$failed" -eq 0 ]
fi
