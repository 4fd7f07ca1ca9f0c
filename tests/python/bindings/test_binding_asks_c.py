"""Neither the binding nor the pipeline restates a list of C's names (issue 19: "C owns every
rule; Python asks"): no list, tuple or set literal assigned in their modules is made only of table names,
reject fields, reject reasons, column type names, age groups or insight names; those come from C
(pinetl.tables(), REJECT_COLUMNS, pinetl.scalar.reject_reasons(), pinetl.columns(),
pinetl.scalar.age_groups(), pinetl.warehouse.insight_names(), the Arrow schemas)."""
import ast
import os

import pinetl
import pinetl.scalar
import pinetl.warehouse

PYTHON = os.path.join(os.path.dirname(__file__), "..", "..", "..", "bindings", "python")
PACKAGES = [os.path.join(PYTHON, p) for p in ("pinetl", "pinetl_pipeline")]


def _c_names():
    names = set(pinetl.tables()) | set(pinetl.REJECT_COLUMNS)
    names |= set(pinetl.warehouse.insight_names())
    names |= set(pinetl.scalar.reject_reasons()) | set(pinetl.scalar.age_groups())
    names |= {kind for t in pinetl.tables() for _, kind in pinetl.columns(t)}
    return names


def _restated(path, names):
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    # A list is declared by an assignment (a comparison such as `name in ("a", "b")` picks
    # cases, it declares nothing).
    values_of = [n.value for n in ast.walk(tree) if isinstance(n, (ast.Assign, ast.AnnAssign))]
    for node in (v for value in values_of if value is not None for v in ast.walk(value)):
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)) and len(node.elts) >= 2:
            values = [e.value for e in node.elts if isinstance(e, ast.Constant)]
            if len(values) == len(node.elts) and all(v in names for v in values):
                yield f"{os.path.basename(path)}:{node.lineno}: {values}"


def test_no_list_of_c_names_is_restated_in_the_binding_or_the_pipeline():
    names = _c_names()
    assert {"pin", "offset", "coords", "top_category_by_country"} <= names
    found = []
    for package in PACKAGES:
        for name in sorted(os.listdir(package)):
            if name.endswith(".py"):
                found += _restated(os.path.join(package, name), names)
    assert not found, "restated C names: " + "; ".join(found)


def test_the_check_sees_a_restated_list(tmp_path):
    path = tmp_path / "m.py"
    path.write_text('TABLES = ("pin", "geo", "user")\nOK = ("pin", "other")\n')
    assert list(_restated(str(path), _c_names())) == ["m.py:1: ['pin', 'geo', 'user']"]
