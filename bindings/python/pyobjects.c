/* See pyobjects.h. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "pyobjects.h"

static void put(PyObject **slot, PyObject *v) {
    PyObject *old = *slot;
    *slot = v;
    Py_XDECREF(old);
}

int pinetl_py_gather(void *out, const void *table, size_t table_len, const int32_t *idx, size_t n) {
    PyObject **dst = out;
    PyObject *const *src = table;
    for (size_t r = 0; r < n; r++) /* check first: nothing is written on bad input */
        if (idx[r] < 0 || (size_t)idx[r] >= table_len)
            return -1;
    PyGILState_STATE gil = PyGILState_Ensure();
    for (size_t r = 0; r < n; r++) {
        PyObject *v = src[idx[r]];
        Py_INCREF(v);
        put(&dst[r], v);
    }
    PyGILState_Release(gil);
    return 0;
}

int pinetl_py_texts(void *out, const char *data, const int64_t *offsets, const uint8_t *validity,
                    size_t n) {
    PyObject **dst = out;
    int rc = 0;
    PyGILState_STATE gil = PyGILState_Ensure();
    for (size_t r = 0; r < n; r++) {
        PyObject *v;
        if (validity && !(validity[r >> 3] >> (r & 7) & 1)) {
            v = Py_None;
            Py_INCREF(v);
        } else {
            v = PyUnicode_DecodeUTF8(data + offsets[r], (Py_ssize_t)(offsets[r + 1] - offsets[r]),
                                     "strict");
            if (!v) {
                PyErr_Clear();
                rc = -1;
                break;
            }
        }
        put(&dst[r], v);
    }
    PyGILState_Release(gil);
    return rc;
}
