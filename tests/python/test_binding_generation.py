"""The CFFI declarations are generated from the public headers, so they cannot drift: every
PINETL_API function of the headers is callable, and the generator handles the header idioms."""
import importlib.util
import pathlib
import re

import pytest

import pinetl
from pinetl._ffi import ffi, lib

ROOT = pathlib.Path(__file__).resolve().parents[2]
HEADERS = ROOT / "libpinetl" / "include" / "pinetl"


def _gen_cdef():
    spec = importlib.util.spec_from_file_location(
        "gen_cdef", ROOT / "bindings" / "python" / "gen_cdef.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_every_public_function_is_bound():
    names = set()
    for h in HEADERS.glob("*.h"):
        names |= set(re.findall(r"PINETL_API\b[^;(]*?\b(pinetl_\w+)\s*\(", h.read_text()))
    assert len(names) > 40
    missing = sorted(n for n in names if not hasattr(lib, n))
    assert not missing, f"functions not in the binding: {missing}"


def test_constants_come_through():
    assert lib.PINETL_OK == 0 and lib.PINETL_DONE == 101
    assert lib.PINETL_PIN_COLUMNS == len(pinetl.columns("pin"))
    assert lib.PINETL_VERSION_NUMBER == lib.pinetl_version_number()
    assert ffi.sizeof("pinetl_stats") > 0


def test_generator_follows_includes_and_drops_preprocessor_lines(tmp_path):
    gen = _gen_cdef()
    (tmp_path / "export.h").write_text(
        "#ifndef X_EXPORT_H\n#define X_EXPORT_H\n#if defined(PINETL_BUILDING) && defined(__GNUC__)\n"
        "#define PINETL_API __attribute__((visibility(\"default\")))\n#else\n#define PINETL_API\n"
        "#endif\n#endif\n")
    (tmp_path / "a.h").write_text(
        '#ifndef A_H\n#define A_H\n#include <stdint.h>\n#include "export.h"\n'
        '#ifdef __cplusplus\nextern "C" {\n#endif\n'
        "/* a comment with PINETL_API inside */\n#define A_SIZE 32\n#define A_NAME \"x\"\n"
        "typedef struct a a;\nPINETL_API int a_new(a **out);\n"
        '#ifdef __cplusplus\n}\n#endif\n#endif\n')
    (tmp_path / "all.h").write_text('#include "a.h"\n#include "export.h"\n#include "a.h"\n')
    cdef = gen.make_cdef(str(tmp_path / "all.h"), [str(tmp_path / "a.h"), str(tmp_path / "export.h")])
    assert cdef.count("int a_new(a **out);") == 1
    assert "#define A_SIZE 32" in cdef
    for absent in ("PINETL_API", "extern", "#include", "A_NAME", "__attribute__", "#if"):
        assert absent not in cdef
    import cffi
    cffi.FFI().cdef(cdef)  # CFFI accepts it


def test_generator_refuses_what_cffi_cannot_bind(tmp_path):
    gen = _gen_cdef()
    (tmp_path / "m.h").write_text("#define TWICE(x) ((x) * 2)\n")
    with pytest.raises(gen.HeaderError, match="function-like macro TWICE"):
        gen.make_cdef(str(tmp_path / "m.h"), [])
    (tmp_path / "n.h").write_text('#include "missing.h"\n')
    with pytest.raises(gen.HeaderError, match="missing.h"):
        gen.make_cdef(str(tmp_path / "n.h"), [])


def test_the_package_under_test_is_the_one_asked_for():
    # tests/python/run.sh sets PINETL_EXPECT_INSTALLED in its venv run: the package must then come
    # from the venv, not from the source or build tree; with PINETL_BUILD_DIR, from that build.
    import os
    import sys
    where = os.path.realpath(pinetl.__file__)
    if os.environ.get("PINETL_EXPECT_INSTALLED"):
        assert where.startswith(os.path.realpath(sys.prefix) + os.sep)
    else:
        build = os.environ.get("PINETL_BUILD_DIR")
        assert build, "run with PINETL_EXPECT_INSTALLED=1 or PINETL_BUILD_DIR=BUILD"
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        build = os.path.realpath(os.path.join(root, build))
        assert where.startswith(os.path.join(build, "bindings", "python") + os.sep)
