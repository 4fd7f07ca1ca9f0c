/* Cleaned rows waiting for their upsert: copied out of batches, one per ind (a later row replaces
 * an earlier one), handed back sorted by ind. SQLite writes a B-tree in key order far faster than
 * at random (pages fill and split in order, and the pages in use stay cached), and ind arrives in
 * random order. */
#ifndef PINETL_WAREHOUSE_STAGE_H
#define PINETL_WAREHOUSE_STAGE_H

#include <stddef.h>
#include <stdint.h>

#include <pinetl/batch.h>

/* The columns of a batch, fetched once per batch. */
typedef struct batch_cols {
    int n, type[PINETL_MAX_COLUMNS];
    const uint8_t *valid[PINETL_MAX_COLUMNS];
    const int64_t *i64[PINETL_MAX_COLUMNS];
    const double *coords[PINETL_MAX_COLUMNS];
    const char *text[PINETL_MAX_COLUMNS];
    const int64_t *offs[PINETL_MAX_COLUMNS];
} batch_cols;

void pinetl__stage_batch_columns(const pinetl_batch *b, batch_cols *k);

typedef struct stage_row {
    int64_t ind;
    size_t at; /* offset of the packed row in data */
} stage_row;

typedef struct stage {
    int table; /* the table of the staged rows, or -1 when empty */
    int ncols, type[PINETL_MAX_COLUMNS];
    char *data; /* packed rows: per column after ind, a flag byte then the value */
    size_t len, cap;
    stage_row *rows; /* in arrival order; a repeated ind is dropped by pinetl__stage_sort */
    size_t n, rows_cap;
    stage_row *tmp; /* the radix sort's other half, kept for the next sort */
    size_t tmp_cap;
} stage;

void pinetl__stage_init(stage *s);
void pinetl__stage_free(stage *s);
/* Empties the stage, keeping its memory. */
void pinetl__stage_clear(stage *s);

/* Copies cleaned row r of a batch of table (ind non-null) into the stage; 0, or -1 when memory
 * ran out. The stage holds one table: the caller empties it before staging another. */
int pinetl__stage_add(stage *s, int table, const batch_cols *k, size_t r);

/* Sorts the rows by ind, keeping the last staged row of each ind, and sets *out_n to their
 * number; 0, or -1 when memory ran out (the stage is then unchanged). The sort is a stable radix
 * sort: rows of one ind stay in arrival order, so "the later record wins" needs no tie-break.
 * The stage is then only read, until pinetl__stage_clear. */
int pinetl__stage_sort(size_t *out_n, stage *s);

#endif
