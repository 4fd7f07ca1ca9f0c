/* Python objects made from C data in bulk, for the binding only (not part of libpinetl).
 *
 * NumPy builds object arrays from C data at ~10 ns an element (fancy indexing) and Python's
 * str.split path at ~150 ns a text with its joins; these loops do the same work at memory speed.
 * `out` is the data pointer of a NumPy object array of at least n elements (arr.ctypes.data),
 * whose old references are released. They take the GIL themselves (CFFI releases it around
 * calls). They return 0, or -1 with nothing half-written left behind (out then holds None where
 * it was not written) when an index is out of range, a text is not UTF-8 or memory runs out. */
#ifndef PINETL_PYOBJECTS_H
#define PINETL_PYOBJECTS_H

#include <stddef.h>
#include <stdint.h>

/* out[r] = table[idx[r]] for r < n; table: an object array's data pointer, of table_len. */
int pinetl_py_gather(void *out, const void *table, size_t table_len, const int32_t *idx, size_t n);

/* out[r] = the str of text r (data[offsets[r] .. offsets[r+1]), UTF-8), or None where the
 * validity bitmap (may be NULL) marks row r null. */
int pinetl_py_texts(void *out, const char *data, const int64_t *offsets, const uint8_t *validity,
                    size_t n);

#endif
