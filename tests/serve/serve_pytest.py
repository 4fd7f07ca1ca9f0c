"""Setup for the tests of tests/serve that run under pytest (the metrics, health and access-log
tests: they parse /metrics with prometheus_client from the venv, so tests/python/run.sh runs them
with the venv's pytest). The other files here are scripts meson runs with the system python3
(tests/serve/meson.build). Not a conftest.py: tests/python's conftest is imported as "conftest"
by its tests, and pytest runs both folders in one session.

Import it first (`from serve_pytest import no_server_left`). serve_helpers reads the pinetl
command from $PINETL: set here from $PINETL_CLI (what tests/python/run.sh exports) or the
default build folder."""
import os
import pathlib

import pytest
from prometheus_client.parser import text_string_to_metric_families

ROOT = pathlib.Path(__file__).resolve().parents[2]

if not os.environ.get("PINETL"):
    cli = os.environ.get("PINETL_CLI") or str(ROOT / "build" / "libpinetl" / "cli" / "pinetl")
    os.environ["PINETL"] = cli

import serve_helpers  # noqa: E402  (after $PINETL is set)


@pytest.fixture(autouse=True)
def no_server_left():
    """Every server a test started is gone after it, even when it failed."""
    yield
    for proc in serve_helpers._SERVERS:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    serve_helpers._SERVERS.clear()


def samples(text):
    """{(sample name, ((label, value), ...) sorted): value} of a Prometheus text exposition, as
    prometheus_client's parser (what a Prometheus server reads) gives it."""
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def value(m, metric, **labels):
    """A sample of samples(); 0 when absent (a counter series appears with its first count)."""
    return m.get((metric, tuple(sorted(labels.items()))), 0)
