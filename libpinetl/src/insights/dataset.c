/* Filling a dataset from batches: one row per ind, the later row replacing the earlier. */
#include "dataset.h"

#include <stdlib.h>
#include <string.h>

#include "core/batch_internal.h"

int pinetl_dataset_new(pinetl_dataset **out) {
    if (!out)
        return pinetl_set_error(PINETL_EINVAL, "pinetl_dataset_new: out is NULL");
    *out = calloc(1, sizeof **out);
    if (!*out)
        return pinetl_set_error(PINETL_ENOMEM, "out of memory");
    return PINETL_OK;
}

void pinetl_dataset_free(pinetl_dataset *ds) {
    if (!ds)
        return;
    strpool_free(&ds->strings);
    free(ds->pin);
    free(ds->geo);
    free(ds->user);
    for (int t = 0; t < PINETL_TABLE_COUNT; t++)
        i64map_free(&ds->index[t]);
    free(ds);
}

size_t pinetl_dataset_rows(const pinetl_dataset *ds, pinetl_table table) {
    if (!ds)
        return 0;
    switch (table) {
    case PINETL_TABLE_PIN: return ds->npin;
    case PINETL_TABLE_GEO: return ds->ngeo;
    case PINETL_TABLE_USER: return ds->nuser;
    }
    return 0;
}

/* Column views of a batch, read once per batch rather than per row. */
typedef struct col { const uint8_t *valid; const int64_t *i64; const char *text; const int64_t *offs; } col;

static col column(const pinetl_batch *b, int c) {
    col k = {pinetl_batch_validity(b, c), pinetl_batch_int64(b, c), pinetl_batch_text_data(b, c),
             pinetl_batch_text_offsets(b, c)};
    return k;
}

static int has(const col *k, size_t r) { return k->valid && (k->valid[r >> 3] >> (r & 7)) & 1; }

/* The string id of a text cell; 0 for null, UINT32_MAX on memory failure. */
static uint32_t text_id(pinetl_dataset *ds, const col *k, size_t r) {
    if (!has(k, r) || !k->text || !k->offs)
        return 0;
    uint32_t id = strpool_intern(&ds->strings, k->text + k->offs[r],
                                 (size_t)(k->offs[r + 1] - k->offs[r]));
    return id ? id : UINT32_MAX;
}

/* Makes room for row n: returns the (maybe moved) array, or NULL on memory failure. */
static void *reserve(void *rows, size_t *cap, size_t n, size_t size) {
    if (n < *cap)
        return rows;
    if (n >= UINT32_MAX - 1)
        return NULL;
    size_t c = *cap ? *cap * 2 : 1024;
    void *p = realloc(rows, c * size);
    if (p)
        *cap = c;
    return p;
}

/* The row number for ind: an existing row to overwrite, or the new row *n. -1 on memory. */
static int64_t slot(pinetl_dataset *ds, int table, size_t *n, int64_t ind) {
    int found;
    int64_t at = i64map_put(&ds->index[table], ind, (uint32_t)*n, &found);
    if (at >= 0 && !found)
        (*n)++;
    return at;
}

int pinetl_dataset_add(pinetl_dataset *ds, const pinetl_batch *b) {
    if (!ds || !b)
        return pinetl_set_error(PINETL_EINVAL, "pinetl_dataset_add: NULL argument");
    int table = pinetl_batch_table(b);
    size_t n = pinetl_batch_rows(b);
    const uint8_t *status = pinetl_batch_status(b);
    col ind = column(b, 0);
    if (n && (!status || !ind.i64))
        return pinetl_set_error(PINETL_EINVAL, "pinetl_dataset_add: batch has no ind column");
    if (table == PINETL_TABLE_PIN) {
        col cat = column(b, PINETL_PIN_CATEGORY), poster = column(b, PINETL_PIN_POSTER_NAME),
            fc = column(b, PINETL_PIN_FOLLOWER_COUNT);
        for (size_t r = 0; r < n; r++) {
            if (status[r])
                continue;
            ds_pin row = {ind.i64[r], has(&fc, r) ? fc.i64[r] : 0, text_id(ds, &cat, r),
                          text_id(ds, &poster, r), (uint8_t)has(&fc, r)};
            void *rows = reserve(ds->pin, &ds->cap_pin, ds->npin, sizeof row);
            if (rows)
                ds->pin = rows;
            int64_t at = rows ? slot(ds, table, &ds->npin, row.ind) : -1;
            if (at < 0 || row.category == UINT32_MAX || row.poster == UINT32_MAX)
                return pinetl_set_error(PINETL_ENOMEM, "out of memory");
            ds->pin[at] = row;
        }
    } else if (table == PINETL_TABLE_GEO) {
        col country = column(b, PINETL_GEO_COUNTRY), ts = column(b, PINETL_GEO_TIMESTAMP);
        for (size_t r = 0; r < n; r++) {
            if (status[r])
                continue;
            ds_geo row = {ind.i64[r], has(&ts, r) ? ts.i64[r] : 0, text_id(ds, &country, r),
                          (uint8_t)has(&ts, r)};
            void *rows = reserve(ds->geo, &ds->cap_geo, ds->ngeo, sizeof row);
            if (rows)
                ds->geo = rows;
            int64_t at = rows ? slot(ds, table, &ds->ngeo, row.ind) : -1;
            if (at < 0 || row.country == UINT32_MAX)
                return pinetl_set_error(PINETL_ENOMEM, "out of memory");
            ds->geo[at] = row;
        }
    } else if (table == PINETL_TABLE_USER) {
        col name = column(b, PINETL_USER_USER_NAME), age = column(b, PINETL_USER_AGE),
            joined = column(b, PINETL_USER_DATE_JOINED);
        for (size_t r = 0; r < n; r++) {
            if (status[r])
                continue;
            ds_user row = {ind.i64[r], has(&age, r) ? age.i64[r] : 0,
                           has(&joined, r) ? joined.i64[r] : 0, text_id(ds, &name, r),
                           (uint8_t)has(&age, r), (uint8_t)has(&joined, r)};
            void *rows = reserve(ds->user, &ds->cap_user, ds->nuser, sizeof row);
            if (rows)
                ds->user = rows;
            int64_t at = rows ? slot(ds, table, &ds->nuser, row.ind) : -1;
            if (at < 0 || row.name == UINT32_MAX)
                return pinetl_set_error(PINETL_ENOMEM, "out of memory");
            ds->user[at] = row;
        }
    } else {
        return pinetl_set_error(PINETL_EINVAL, "pinetl_dataset_add: unknown table %d", table);
    }
    return PINETL_OK;
}
