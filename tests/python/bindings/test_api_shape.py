"""The binding's shape (issue 19): a small top level with the rest in submodules, the source
first in every call that reads, 0.1's moved names still found for one release with a
DeprecationWarning, and the table name converted to its C id once per call."""
import inspect
import sys
import warnings

import pytest

import pinetl
import pinetl.arrow
import pinetl.delta
import pinetl.errors
import pinetl.pandas
import pinetl.scalar
import pinetl.spark
import pinetl.warehouse
from pinetl import _scalar

from conftest import SAMPLE

RECORD = b'{"index": 1, "category": "art"}\n'


def test_top_level_is_small_and_the_rest_is_in_submodules():
    assert len(pinetl.__all__) <= 12
    assert {"read_json", "clean_json", "Warehouse", "Error"} <= set(pinetl.__all__)
    for name in pinetl.__all__:
        assert hasattr(pinetl, name), name
    for module in (pinetl.arrow, pinetl.scalar, pinetl.errors, pinetl.warehouse):
        assert module.__all__, module
        for name in module.__all__:
            assert callable(getattr(module, name)), (module.__name__, name)
    # Each object has one home: nothing of a submodule is listed at the top too, except the
    # common calls and the base exception and warning.
    shared = {"Error", "TimestampRangeWarning", "Warehouse", "insights"}
    top = {id(getattr(pinetl, n)): n for n in pinetl.__all__}
    for module in (pinetl.arrow, pinetl.scalar, pinetl.errors, pinetl.warehouse):
        both = {top[id(getattr(module, n))] for n in module.__all__ if id(getattr(module, n)) in top}
        assert both <= shared, module.__name__


@pytest.mark.parametrize("call, source", [
    (pinetl.read_json, "path"), (pinetl.clean_json, "data"),
    (pinetl.arrow.read_json, "path"), (pinetl.arrow.clean_json, "data"),
    (pinetl.Warehouse.load, "paths"), (pinetl.Warehouse.load_json, "data"),
    (pinetl.pandas.clean, "df"), (pinetl.pandas.clean_with_rejects, "df"),
    (pinetl.spark.clean_arrow, "records"), (pinetl.delta.DeltaSink.write, "records"),
    (pinetl.delta.clean_to_delta, "paths"),
])
def test_the_source_comes_first_then_the_table(call, source):
    params = [p for p in inspect.signature(call).parameters if p != "self"]
    assert params[:2] == [source, "table"], (call.__qualname__, params)


def test_the_old_argument_order_fails_naming_the_table_argument(tmp_path):
    # clean_json(table, data) of 0.1 cannot pass silently: the data is then the table name,
    # which C refuses with its message.
    with pytest.raises(pinetl.errors.InvalidArgumentError, match="index"):
        pinetl.clean_json("pin", RECORD)
    with pytest.raises(TypeError, match="table must be str or bytes"):
        pinetl.clean_json("pin", [{"index": 1}])
    with pinetl.Warehouse(tmp_path / "w.db") as wh:
        with pytest.raises(pinetl.errors.InvalidArgumentError, match="pin.jsonl"):
            wh.load("pin", str(SAMPLE / "pin.jsonl"))


def test_moved_names_still_work_for_one_release_with_a_deprecation_warning():
    with pytest.warns(DeprecationWarning, match=r"pinetl\.scalar\.age"):
        assert pinetl.age(25) == 25
    with pytest.warns(DeprecationWarning, match=r"pinetl\.errors\.SQLError"):
        assert pinetl.SQLError is pinetl.errors.SQLError
    with pytest.warns(DeprecationWarning, match=r"pinetl\.arrow\.read_json"):
        old = pinetl.read_arrow(SAMPLE / "pin.jsonl", "pin")
    assert old.rows.equals(pinetl.arrow.read_json(SAMPLE / "pin.jsonl", "pin").rows)
    with pytest.warns(DeprecationWarning, match=r"data first"):
        res = pinetl.clean_arrow("pin", RECORD)      # 0.1's order, kept by the old name
    assert res.rows.column("ind").to_pylist() == [1]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        import pinetl as fresh                        # the current names warn nothing
        fresh.clean_json(RECORD, "pin")
    with pytest.raises(AttributeError):
        pinetl.RejectError


def _table_id_calls(call):
    """How many times call() runs pinetl's table-name-to-C-id conversion."""
    code, count = _scalar.table_id.__code__, 0

    def profile(frame, event, arg):
        nonlocal count
        if event == "call" and frame.f_code is code:
            count += 1

    sys.setprofile(profile)
    try:
        call()
    finally:
        sys.setprofile(None)
    return count


def test_the_table_name_is_converted_to_its_c_id_once_per_call(tmp_path):
    path = SAMPLE / "geo.jsonl"
    wh = pinetl.Warehouse(tmp_path / "w.db")
    try:
        calls = {
            "read_json": lambda: pinetl.read_json(path, "geo"),
            "clean_json": lambda: pinetl.clean_json(RECORD, "pin"),
            "arrow.read_json": lambda: pinetl.arrow.read_json(path, "geo"),
            "arrow.clean_json": lambda: pinetl.arrow.clean_json(RECORD, "pin"),
            "Warehouse.load": lambda: wh.load(path, "geo"),
            "Warehouse.load_json": lambda: wh.load_json(RECORD, "pin"),
            "pandas.follower_count": lambda: pinetl.pandas.follower_count(
                __import__("pandas").Series(["26k"])),
        }
        counts = {name: _table_id_calls(call) for name, call in calls.items()}
    finally:
        wh.close()
    assert counts == {name: 1 for name in calls}
