#include "dataset_index.h"

#include <stdlib.h>
#include <string.h>

#include "core/batch_internal.h"
#include "util/error.h"
#include "util/alloc.h"

void pinetl__dataset_index_free(ds_index *x) {
    pinetl__free(x->inds);
    pinetl__free(x->rows);
    memset(x, 0, sizeof *x);
}

int pinetl__dataset_index_build(ds_index *x, const pinetl_dataset *ds, int t, size_t p) {
    const ds_table *table = &ds->table[t];
    const ds_part *part = &table->part[p];
    size_t cap = 16;
    while (cap < 2 * part->n)   /* at most half full: short probes */
        cap *= 2;
    if (cap > x->room) {
        pinetl__free(x->inds);
        pinetl__free(x->rows);
        x->inds = pinetl__malloc(cap * sizeof *x->inds);
        x->rows = pinetl__malloc(cap * sizeof *x->rows);
        x->room = x->inds && x->rows ? cap : 0;
        if (!x->room) {
            pinetl__dataset_index_free(x);
            return pinetl__error_set(PINETL_ENOMEM, "out of memory");
        }
    }
    x->cap = cap;
    x->len = 0;
    memset(x->rows, 0, cap * sizeof *x->rows);
    /* Every row type starts with its int64 ind. */
    const char *row = part->rows;
    for (size_t r = 0; r < part->n; r++, row += table->esize) {
        int64_t ind;
        memcpy(&ind, row, sizeof ind);
        size_t i = (size_t)pinetl__hash_u64((uint64_t)ind) & (cap - 1);
        while (x->rows[i] && x->inds[i] != ind)
            i = (i + 1) & (cap - 1);
        x->len += !x->rows[i];
        x->inds[i] = ind;
        x->rows[i] = (uint32_t)r + 1;
    }
    return PINETL_OK;
}
