#!/usr/bin/env python3
"""Writes the C source of the out-of-line API-mode CFFI module pinetl._pinetl.

usage: gen_ffi.py CDEF.h OUT.c

CDEF.h is gen_cdef.py's output. The module includes <pinetl/pinetl.h>, so the C compiler checks
every declaration in the cdef against the real header.
"""
import sys

import cffi


def main(argv):
    if len(argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        cdef = f.read()
    ffi = cffi.FFI()
    ffi.cdef(cdef)
    ffi.set_source("pinetl._pinetl", "#include <pinetl/pinetl.h>\n")
    ffi.emit_c_code(argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
