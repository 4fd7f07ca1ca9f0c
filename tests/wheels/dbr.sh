# The oldest supported Databricks LTS runtime (14.3: CPython 3.10, numpy 1.23.5, pandas 1.5.3,
# pyarrow 8.0.0, PySpark 3.5.0, Delta 3.1.0; requirements/constraints-dbr14.3.txt) running pinetl's
# Spark tests with the wheel installed. Sourced by tests/wheels/run.sh after pinetl_wheel_test has
# installed the x86_64 wheel into the CPython 3.10 venv with those pins (pyspark and delta-spark
# included, so the "pip changed nothing" check covers them too).
# pinetl_dbr_spark_test: pytest runs tests/python/bindings/test_spark_clean.py there, on a local
# Spark 3.5 session (tests/python/spark_fixtures.py picks its Scala 2.12 artifacts; Ivy fetches
# delta-spark and the Kafka source from Maven Central on the first run).
# Not here: test_delta_spark.py and test_spark_streaming.py, which write their Delta input with
# pinetl.delta (delta-rs: the delta extra needs pyarrow 18, the runtime has 8), and
# test_spark_streaming_kafka.py (a Kafka broker; tests/python/run.sh runs it with Spark 4).
PINETL_DBR_SPARK_TESTS=(test_spark_clean.py)

pinetl_dbr_spark_test() {
  local venv=$PINETL_VENV-wheeltest-3.10 start=$SECONDS
  echo "== Spark tests on Databricks runtime 14.3's versions ($venv)"
  # Spark 3.5 runs on Java 8, 11 or 17 (Debian 12's is 17).
  if ! pinetl_install_packages openjdk-17-jre-headless; then
    echo "could not install Java"; failed=$((failed + 1)); return
  fi
  if (cd "$PINETL_ROOT" && PINETL_EXPECT_INSTALLED=1 PINETL_CLI=$PINETL_ROOT/build/libpinetl/cli/pinetl \
      JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")") \
      "$venv/bin/pytest" -q -p no:cacheprovider "${PINETL_DBR_SPARK_TESTS[@]/#/tests/python/bindings/}"); then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
  fi
  echo "(Spark 3.5 tests: $((SECONDS - start)) s)"
}
