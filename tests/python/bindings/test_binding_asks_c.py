"""The binding restates no list of C's names (issue 19: "C owns every rule; Python asks"): no
list, tuple or set literal in its modules is made only of table names, reject fields, column
type names or insight names; those come from C (pinetl.tables(), REJECT_COLUMNS,
pinetl.columns(), pinetl.warehouse.insight_names(), the Arrow schemas)."""
import ast
import os

import pinetl
import pinetl.warehouse

PACKAGE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "bindings", "python", "pinetl")
# The pipeline's modules are not the binding's (they move to their own package).
PIPELINE = {"airflow", "daily", "databricks_jobs", "emulate", "kafka", "report", "source"}


def _c_names():
    names = set(pinetl.tables()) | set(pinetl.REJECT_COLUMNS)
    names |= set(pinetl.warehouse.insight_names())
    names |= {kind for t in pinetl.tables() for _, kind in pinetl.columns(t)}
    return names


def _restated(path, names):
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    for node in ast.walk(tree):
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)) and len(node.elts) >= 2:
            values = [e.value for e in node.elts if isinstance(e, ast.Constant)]
            if len(values) == len(node.elts) and all(v in names for v in values):
                yield f"{os.path.basename(path)}:{node.lineno}: {values}"


def test_no_list_of_c_names_is_restated_in_the_binding():
    names = _c_names()
    assert {"pin", "offset", "coords", "top_category_by_country"} <= names
    found = []
    for name in sorted(os.listdir(PACKAGE)):
        if name.endswith(".py") and name[:-3] not in PIPELINE:
            found += _restated(os.path.join(PACKAGE, name), names)
    assert not found, "restated C names: " + "; ".join(found)


def test_the_check_sees_a_restated_list(tmp_path):
    path = tmp_path / "m.py"
    path.write_text('TABLES = ("pin", "geo", "user")\nOK = ("pin", "other")\n')
    assert list(_restated(str(path), _c_names())) == ["m.py:1: ['pin', 'geo', 'user']"]
