#!/usr/bin/env python3
"""Writes the C source of the out-of-line API-mode CFFI module pinetl._pinetl.

usage: gen_ffi.py CDEF.h PYOBJECTS.h OUT.c

CDEF.h is gen_cdef.py's output; PYOBJECTS.h declares the binding's own helpers (pyobjects.c,
compiled into the same module). The module includes both headers, so the C compiler checks every
declaration in the cdef against the real ones.
"""
import sys

import cffi


def main(argv):
    if len(argv) != 4:
        sys.stderr.write(__doc__)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        cdef = f.read()
    with open(argv[2], encoding="utf-8") as f:
        helpers = f.read()
    start = helpers.index("int pinetl_py_gather")   # the declarations, not the guards
    end = helpers.rindex("#endif")
    ffi = cffi.FFI()
    ffi.cdef(cdef)
    ffi.cdef(helpers[start:end])
    ffi.set_source("pinetl._pinetl", '#include <pinetl/pinetl.h>\n#include "pyobjects.h"\n')
    ffi.emit_c_code(argv[3])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
