/* The latest row of each ind within one partition of a table: a small open-addressing table,
 * rebuilt for each partition and reused (its memory stays), so it is cache-resident. */
#ifndef PINETL_INSIGHTS_DATASET_INDEX_H
#define PINETL_INSIGHTS_DATASET_INDEX_H

#include "dataset.h"

typedef struct ds_index {
    int64_t *inds;
    uint32_t *rows;      /* row number + 1; 0 marks an empty slot */
    size_t cap, len, room;
} ds_index;

void pinetl__dataset_index_free(ds_index *x);
/* Indexes the rows of partition p of table t, a later row of an ind replacing an earlier one.
 * 0, or PINETL_ENOMEM. */
int pinetl__dataset_index_build(ds_index *x, const pinetl_dataset *ds, int t, size_t p);
/* The latest row number of ind, or -1. */
static inline int64_t pinetl__dataset_index_find(const ds_index *x, int64_t ind) {
    for (size_t i = (size_t)pinetl__hash_u64((uint64_t)ind) & (x->cap - 1);; i = (i + 1) & (x->cap - 1)) {
        if (!x->rows[i])
            return -1;
        if (x->inds[i] == ind)
            return (int64_t)x->rows[i] - 1;
    }
}

#endif
