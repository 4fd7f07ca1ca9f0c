"""The binding is typed: py.typed ships with the package, and mypy (strict, as pyproject.toml's
[tool.mypy] sets it) passes on the binding's sources and fails on a function without
annotations. mypy comes with the test extra (pinned in requirements/constraints.txt)."""
import pathlib
import re
import shutil
import subprocess
import sys
import tomllib

import pytest

import pinetl
from conftest import ROOT

SOURCES = ROOT / "bindings" / "python" / "pinetl"
CONFIG = ROOT / "pyproject.toml"


@pytest.fixture(scope="module")
def mypy_cache(tmp_path_factory):
    # One cache for this module's runs (numpy's and pyspark's types are read once), outside the
    # source tree.
    return tmp_path_factory.mktemp("mypy-cache")


def _mypy(cache, *paths):
    return subprocess.run([sys.executable, "-m", "mypy", "--config-file", str(CONFIG),
                           "--cache-dir", str(cache), *map(str, paths)],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)


def test_package_is_marked_typed():
    assert (pathlib.Path(pinetl.__file__).parent / "py.typed").is_file()


def test_mypy_strict_passes_on_the_binding(mypy_cache):
    with open(CONFIG, "rb") as f:
        config = tomllib.load(f)["tool"]["mypy"]
    assert config["strict"] is True
    p = _mypy(mypy_cache)                     # the files of [tool.mypy]
    assert p.returncode == 0, p.stdout + p.stderr
    assert "Success" in p.stdout


def test_mypy_fails_on_an_untyped_public_function(mypy_cache, tmp_path):
    # A copy of the binding's modules (those [tool.mypy] checks) with one public function
    # without annotations added to scalar.py.
    with open(CONFIG, "rb") as f:
        exclude = [re.compile(x) for x in tomllib.load(f)["tool"]["mypy"].get("exclude", [])]
    copy = tmp_path / "pinetl"
    copy.mkdir()
    for src in SOURCES.iterdir():
        rel = f"bindings/python/pinetl/{src.name}"
        if src.suffix in (".py", ".pyi") and not any(x.search(rel) for x in exclude):
            shutil.copy(src, copy / src.name)
    with open(copy / "scalar.py", "a", encoding="utf-8") as f:
        f.write("\n\ndef shout(text):\n    return text.upper()\n")
    p = _mypy(mypy_cache, copy)
    assert p.returncode == 1, p.stdout + p.stderr
    errors = [line for line in p.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 1 and "scalar.py" in errors[0], p.stdout
    assert "missing a type annotation" in errors[0]
