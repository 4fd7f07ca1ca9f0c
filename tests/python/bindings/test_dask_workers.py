"""Dask: worker processes of a LocalCluster clean partitions of the real sample; the result is the
CLI's output, value for value."""
import json
import os

import dask.dataframe as dd
import distributed
import pandas as pd
import pytest

import pinetl
import pinetl.pandas as pp
from compare import assert_same_rows, cli_rows, frame_rows


def _worker_pid_and_path():
    import pinetl as p  # imported inside the worker process
    return os.getpid(), p.__file__


@pytest.fixture(scope="module")
def client():
    # Workers are separate processes; they import pinetl through PYTHONPATH (set by conftest in
    # build-tree mode) or the same installed package.
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=None, host="127.0.0.1") as cluster, \
            distributed.Client(cluster) as c:
        yield c


def test_workers_are_other_processes_using_the_same_package(client):
    seen = client.run(_worker_pid_and_path)
    assert len(seen) == 2
    for pid, path in seen.values():
        assert pid != os.getpid()
        assert os.path.realpath(os.path.dirname(path)) == \
            os.path.realpath(os.path.dirname(pinetl.__file__))


@pytest.mark.parametrize("table", ["pin", "geo", "user"])
def test_map_partitions_on_workers_equals_the_cli(client, cli, sample, table):
    lines = [line.decode() for line in open(sample(table), "rb").read().splitlines()
             if line.strip()]
    raw = pd.DataFrame({"value": lines})
    ddf = dd.from_pandas(raw, npartitions=4)
    cleaned = ddf.map_partitions(pp.clean, table, column="value", meta=pp.meta(table))
    result = cleaned.compute(scheduler=client)
    assert result.index.is_monotonic_increasing  # partitions come back in input order
    expected = cli_rows(cli("clean", "--table", table, sample(table)).stdout, table)
    assert_same_rows(frame_rows(result.reset_index(drop=True), table), expected)


def test_map_partitions_without_meta_infers_it(client, sample):
    # The raw fields unconverted (pandas.read_json's convert_dates=False is deprecated in pandas 3).
    with open(sample("user"), encoding="utf-8") as f:
        raw = pd.DataFrame([json.loads(line) for line in f if line.strip()])
    result = dd.from_pandas(raw, npartitions=3).map_partitions(pp.clean, "user") \
        .compute(scheduler=client)
    expected = pinetl.read_json(sample("user"), "user").rows
    assert frame_rows(result.reset_index(drop=True), "user") == frame_rows(expected, "user")
