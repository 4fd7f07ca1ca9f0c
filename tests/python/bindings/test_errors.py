"""C result codes become Python exceptions that carry the C library's message."""
import pytest

import pinetl


def test_unknown_table_is_an_invalid_argument_with_the_c_message():
    with pytest.raises(pinetl.errors.InvalidArgumentError) as e:
        pinetl.clean_json(b'{"index": 1}\n', "pins")
    assert e.value.code == -3
    assert "pins" in str(e.value)
    assert isinstance(e.value, pinetl.Error) and isinstance(e.value, ValueError)


def test_missing_file_names_the_path(tmp_path):
    missing = tmp_path / "nope.jsonl"
    with pytest.raises(pinetl.Error) as e:
        pinetl.read_json(missing, "pin")
    assert isinstance(e.value, (pinetl.errors.NotFoundError, pinetl.errors.PinetlIOError))
    assert e.value.code in (-4, -8)
    assert str(missing) in e.value.message


def test_unknown_input_format_is_an_invalid_argument():
    with pytest.raises(pinetl.errors.InvalidArgumentError):
        pinetl.clean_json(b"{}", "pin", input_format="xml")


def test_unknown_insight_is_not_found(tmp_path):
    with pytest.raises(pinetl.errors.NotFoundError) as e:
        pinetl.warehouse.insight_sql("top_everything")
    assert "top_everything" in str(e.value)


def test_wrong_python_types_are_type_errors():
    with pytest.raises(TypeError, match="single mapping"):
        pinetl.clean_json({"index": 1}, "pin")


def test_records_of_other_python_types_are_rejects():
    # A record is an element of the list: one that is not an object, or holds a value JSON has
    # no type for, is a reject with C's reason (issue 18), not an exception for the whole call.
    res = pinetl.clean_json([1, 2, {"index": object()}, {"index": 4}], "pin")
    assert list(res.rows["ind"]) == [4]
    assert list(res.rejects["line"]) == [1, 2, 3] and all(res.rejects["reason"])


def test_bad_sql_is_an_sql_error(tmp_path):
    with pinetl.Warehouse(tmp_path / "w.db") as wh:
        with pytest.raises(pinetl.errors.SQLError) as e:
            wh.query("SELECT * FROM no_such_table")
    assert "no_such_table" in str(e.value)


def test_readonly_warehouse_must_exist(tmp_path):
    with pytest.raises(pinetl.Error) as e:
        pinetl.Warehouse(tmp_path / "absent.db", readonly=True)
    assert e.value.code < 0 and e.value.message


def test_closed_warehouse_is_refused(tmp_path):
    wh = pinetl.Warehouse(tmp_path / "w.db")
    wh.close()
    with pytest.raises(ValueError, match="closed"):
        wh.count("pin")


def test_no_reject_error_code_or_class():
    # A rejected record is data (a row of rejects), never an error: no call returned
    # PINETL_EREJECT, so neither the code nor a Python class for it exists.
    from pinetl._ffi import lib
    assert not hasattr(lib, "PINETL_EREJECT")
    assert not hasattr(pinetl, "RejectError")
    from pinetl._ffi import text
    assert text(lib.pinetl_strerror(-7)) == "unknown result code"
