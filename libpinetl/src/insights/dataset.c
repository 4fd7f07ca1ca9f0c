/* Filling a dataset from batches: each cleaned row reduced to what the insights read and
 * appended to its partition (dataset.h); one row per ind is applied when the rows are read. */
#include "dataset.h"

#include <stdlib.h>
#include <string.h>

#include <pinetl/scalar.h>

#include "core/batch_internal.h"
#include "dataset_index.h"
#include "util/error.h"
#include "util/alloc.h"

int pinetl_dataset_new(pinetl_dataset **out) {
    if (!out)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_dataset_new: out is NULL");
    pinetl_dataset *ds = pinetl__calloc(1, sizeof *ds);
    if (!ds)
        return pinetl__error_set(PINETL_ENOMEM, "out of memory");
    ds->table[PINETL_TABLE_PIN].esize = sizeof(ds_pin);
    ds->table[PINETL_TABLE_GEO].esize = sizeof(ds_geo);
    ds->table[PINETL_TABLE_USER].esize = sizeof(ds_user);
    *out = ds;
    return PINETL_OK;
}

void pinetl_dataset_free(pinetl_dataset *ds) {
    if (!ds)
        return;
    for (int t = 0; t < PINETL_TABLE_COUNT; t++)
        for (size_t p = 0; p < DS_PARTS; p++)
            pinetl__free(ds->table[t].part[p].rows);
    pinetl__strpool_free(&ds->category);
    pinetl__strpool_free(&ds->poster);
    pinetl__strpool_free(&ds->country);
    pinetl__strpool_free(&ds->user_name);
    pinetl__free(ds);
}

/* Counted on demand, a partition at a time: linear in the rows added. */
size_t pinetl_dataset_rows(const pinetl_dataset *ds, pinetl_table table) {
    if (!ds || (unsigned)table >= PINETL_TABLE_COUNT)
        return 0;
    ds_index x = {0};
    size_t n = 0;
    for (size_t p = 0; p < DS_PARTS; p++) {
        if (pinetl__dataset_index_build(&x, ds, table, p)) {
            n = 0;
            break;
        }
        n += x.len;
    }
    pinetl__dataset_index_free(&x);
    return n;
}

/* Room for one more row at the end of the partition of ind; NULL on memory failure. */
static void *append(ds_table *t, int64_t ind) {
    ds_part *part = &t->part[pinetl__dataset_part_of(ind)];
    if (part->n == part->cap) {
        size_t cap = part->cap ? part->cap * 2 : 64;
        if (cap >= UINT32_MAX)   /* row numbers are uint32 in ds_index */
            return NULL;
        void *rows = pinetl__realloc(part->rows, cap * t->esize);
        if (!rows)
            return NULL;
        part->rows = rows;
        part->cap = cap;
    }
    return (char *)part->rows + part->n++ * t->esize;
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
static uint32_t text_id(strpool *pool, const col *k, size_t r) {
    if (!has(k, r) || !k->text || !k->offs)
        return 0;
    uint32_t id = pinetl__strpool_intern(pool, k->text + k->offs[r], (size_t)(k->offs[r + 1] - k->offs[r]));
    return id ? id : UINT32_MAX;
}

/* The year of a timestamp cell when inside first..last, else 0. */
static uint16_t year_in(const col *k, size_t r, int first, int last) {
    if (!has(k, r))
        return 0;
    int y = pinetl_timestamp_year(k->i64[r]);
    return y >= first && y <= last ? (uint16_t)y : 0;
}

static int nomem(void) { return pinetl__error_set(PINETL_ENOMEM, "out of memory"); }

static int add_pins(pinetl_dataset *ds, const pinetl_batch *b, const uint8_t *status,
                    const int64_t *ind, size_t n) {
    col cat = column(b, PINETL_PIN_CATEGORY), poster = column(b, PINETL_PIN_POSTER_NAME),
        fc = column(b, PINETL_PIN_FOLLOWER_COUNT);
    for (size_t r = 0; r < n; r++) {
        if (status[r])
            continue;
        ds_pin row = {ind[r], has(&fc, r) ? fc.i64[r] : 0, text_id(&ds->category, &cat, r),
                      text_id(&ds->poster, &poster, r), (uint8_t)has(&fc, r)};
        ds_pin *at = append(&ds->table[PINETL_TABLE_PIN], row.ind);
        if (!at || row.category == UINT32_MAX || row.poster == UINT32_MAX)
            return nomem();
        *at = row;
    }
    return PINETL_OK;
}

static int add_geos(pinetl_dataset *ds, const pinetl_batch *b, const uint8_t *status,
                    const int64_t *ind, size_t n) {
    col country = column(b, PINETL_GEO_COUNTRY), ts = column(b, PINETL_GEO_TIMESTAMP);
    for (size_t r = 0; r < n; r++) {
        if (status[r])
            continue;
        ds_geo row = {ind[r], text_id(&ds->country, &country, r),
                      year_in(&ts, r, FIRST_POST_YEAR, LAST_POST_YEAR)};
        ds_geo *at = append(&ds->table[PINETL_TABLE_GEO], row.ind);
        if (!at || row.country == UINT32_MAX)
            return nomem();
        *at = row;
    }
    return PINETL_OK;
}

/* How many rows ahead user names are hashed and their pool slot prefetched: names are many
 * (about one per seven users), so their pool is larger than the caches close to the core. */
enum { AHEAD = 8 };

static int add_users(pinetl_dataset *ds, const pinetl_batch *b, const uint8_t *status,
                     const int64_t *ind, size_t n) {
    col name = column(b, PINETL_USER_USER_NAME), age = column(b, PINETL_USER_AGE),
        joined = column(b, PINETL_USER_DATE_JOINED);
    uint32_t hash[AHEAD];   /* ring: the hash of row r is at r % AHEAD */
    for (size_t r = 0; r < n + AHEAD; r++) {
        /* Row k was hashed AHEAD steps ago; it is added before row r takes its ring slot. */
        if (r >= AHEAD && !status[r - AHEAD]) {
            size_t k = r - AHEAD;
            uint32_t id = 0;
            if (has(&name, k) && name.text && name.offs) {
                id = pinetl__strpool_intern_hashed(&ds->user_name, name.text + name.offs[k],
                                           (size_t)(name.offs[k + 1] - name.offs[k]),
                                           hash[k % AHEAD]);
                if (!id)
                    return nomem();
            }
            ds_user row = {ind[k], has(&joined, k) ? joined.i64[k] : 0, id,
                           year_in(&joined, k, FIRST_JOIN_YEAR, LAST_JOIN_YEAR),
                           (int8_t)(has(&age, k) ? pinetl_age_group_index(age.i64[k]) : -1)};
            ds_user *at = append(&ds->table[PINETL_TABLE_USER], row.ind);
            if (!at)
                return nomem();
            *at = row;
        }
        if (r < n && !status[r] && has(&name, r) && name.text && name.offs) {
            hash[r % AHEAD] = pinetl__strpool_hash(name.text + name.offs[r],
                                           (size_t)(name.offs[r + 1] - name.offs[r]));
            pinetl__strpool_prefetch(&ds->user_name, hash[r % AHEAD]);
        }
    }
    return PINETL_OK;
}

uint32_t pinetl__dataset_columns(pinetl_table table) {
    switch (table) {
    case PINETL_TABLE_PIN:
        return 1u << PINETL_PIN_IND | 1u << PINETL_PIN_CATEGORY | 1u << PINETL_PIN_POSTER_NAME |
               1u << PINETL_PIN_FOLLOWER_COUNT;
    case PINETL_TABLE_GEO:
        return 1u << PINETL_GEO_IND | 1u << PINETL_GEO_COUNTRY | 1u << PINETL_GEO_TIMESTAMP;
    default:
        return 1u << PINETL_USER_IND | 1u << PINETL_USER_USER_NAME | 1u << PINETL_USER_AGE |
               1u << PINETL_USER_DATE_JOINED;
    }
}

int pinetl_dataset_add(pinetl_dataset *ds, const pinetl_batch *b) {
    if (!ds || !b)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_dataset_add: NULL argument");
    int table = pinetl_batch_table(b);
    size_t n = pinetl_batch_rows(b);
    const uint8_t *status = pinetl_batch_status(b);
    const int64_t *ind = pinetl_batch_int64(b, 0);
    if (n && (!status || !ind))
        return pinetl__error_set(PINETL_EINVAL, "pinetl_dataset_add: batch has no ind column");
    /* A column left out of the batch would read as null everywhere: wrong insights, silently. */
    if (table >= 0 && table < PINETL_TABLE_COUNT &&
        (pinetl_batch_selected_columns(b) & pinetl__dataset_columns(table)) != pinetl__dataset_columns(table))
        return pinetl__error_set(PINETL_EINVAL, "pinetl_dataset_add: the %s batch leaves out a "
                                "column the insights read", pinetl_table_name(table));
    switch (table) {
    case PINETL_TABLE_PIN: return add_pins(ds, b, status, ind, n);
    case PINETL_TABLE_GEO: return add_geos(ds, b, status, ind, n);
    case PINETL_TABLE_USER: return add_users(ds, b, status, ind, n);
    }
    return pinetl__error_set(PINETL_EINVAL, "pinetl_dataset_add: unknown table %d", table);
}
