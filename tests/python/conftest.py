"""Finds the pinetl package under test and the CLI it is compared with.

Two modes:
- build tree: PINETL_BUILD_DIR=build-py (a meson build with -Dpython=true) puts
  BUILD/bindings/python first on sys.path and on PYTHONPATH (for Dask's worker processes);
- installed: without PINETL_BUILD_DIR, `import pinetl` finds the installed package (a venv).

The CLI (for value-for-value comparisons) is PINETL_CLI, else BUILD/libpinetl/cli/pinetl of
PINETL_BUILD_DIR, else of build/ at the project root."""
import os
import pathlib
import subprocess
import sys

import pytest

from spark_fixtures import spark  # noqa: F401  (the run's one Spark session, for every test)
from s3_fixtures import s3_bucket, s3_server  # noqa: F401  (the S3-compatible test server)

ROOT = pathlib.Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "tests" / "data" / "real-sample"
TABLES = ("pin", "geo", "user")

_build = os.environ.get("PINETL_BUILD_DIR")
if _build:
    _pkg = (ROOT / _build if not os.path.isabs(_build) else pathlib.Path(_build)) / "bindings" / "python"
    if not (_pkg / "pinetl" / "__init__.py").is_file():
        raise pytest.UsageError(f"PINETL_BUILD_DIR: {_pkg}/pinetl is missing; build with "
                                "meson setup BUILD -Dpython=true && ninja -C BUILD")
    sys.path.insert(0, str(_pkg))
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [str(_pkg)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])

# Tests using these fixtures start a service: marked `service` (tests/python/run.sh runs them
# once, against the installed package, and not again against the build tree).
SERVICE_FIXTURES = {"spark", "kafka_broker", "mariadb", "airflow", "s3_server", "s3_bucket"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if SERVICE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.service)


def _cli_path():
    if os.environ.get("PINETL_CLI"):
        return pathlib.Path(os.environ["PINETL_CLI"])
    for build in ([_build] if _build else []) + ["build"]:
        path = pathlib.Path(build)
        path = (path if path.is_absolute() else ROOT / path) / "libpinetl" / "cli" / "pinetl"
        if path.is_file():
            return path
    return None


@pytest.fixture(scope="session")
def cli():
    """Runs the pinetl command; returns its CompletedProcess (stdout as bytes)."""
    path = _cli_path()
    if path is None:
        pytest.fail("the pinetl CLI was not found: set PINETL_CLI or build it "
                    "(meson setup build && ninja -C build)")

    def run(*args, check=True):
        proc = subprocess.run([str(path), *map(str, args)], capture_output=True)
        if check and proc.returncode != 0:
            raise AssertionError(f"pinetl {' '.join(map(str, args))} exited {proc.returncode}: "
                                 f"{proc.stderr.decode(errors='replace')}")
        return proc
    return run


@pytest.fixture(scope="session")
def sample():
    """Path of the real sample of a table."""
    return lambda table: SAMPLE / f"{table}.jsonl"
