/* Batch storage: creation, growth, reuse, sources, reject rows and the accessors. */
#include <stdlib.h>
#include <string.h>

#include "storage.h"
#include "util/error.h"
#include "util/alloc.h"

static const char *const reject_names[PINETL_REJECT_CODES] = {
    NULL, "invalid_utf8", "invalid_json", "not_an_object", "bad_key", "bad_envelope", "too_large"};

const char *pinetl_reject_name(pinetl_reject_code code) {
    return (int)code > 0 && (int)code < PINETL_REJECT_CODES ? reject_names[code] : NULL;
}

int pinetl_batch_new(pinetl_batch **out, pinetl_table table) {
    int n = pinetl_column_count(table);
    if (!out)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_batch_new: out is NULL");
    *out = NULL;
    if (!n)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_batch_new: unknown table %d", (int)table);
    pinetl_batch *b = pinetl__calloc(1, sizeof *b);
    if (!b)
        return pinetl__error_set(PINETL_ENOMEM, "out of memory creating a batch");
    b->table = table;
    b->ncols = n;
    b->select = (1u << n) - 1;
    for (int c = 0; c < n; c++)
        b->cols[c].type = pinetl_column_type(table, c);
    *out = b;
    return PINETL_OK;
}

void pinetl_batch_free(pinetl_batch *b) {
    if (!b)
        return;
    pinetl__free(b->status);
    pinetl__free(b->warnings);
    pinetl__free(b->escape);
    pinetl__free(b->lines);
    pinetl__free(b->offsets);
    pinetl__free(b->source_ids);
    for (int c = 0; c < b->ncols; c++) {
        pinetl__free(b->cols[c].validity);
        pinetl__free(b->cols[c].i64);
        pinetl__free(b->cols[c].coords);
        pinetl__free(b->cols[c].text);
        pinetl__free(b->cols[c].offsets);
        pinetl__free(b->cols[c].views);
    }
    pinetl__batch_drop_regions(b);
    pinetl__free(b->regions);
    pinetl__free(b->rejects);
    pinetl__free(b->rblob.p);
    for (uint32_t i = 0; i < b->nsources; i++)
        pinetl__free(b->sources[i]);
    pinetl__free(b->sources);
    pinetl__free(b->scratch.p);
    pinetl__free(b->members);
    pinetl__free(b->out.p);
    pinetl__free(b->rout.p);
    pinetl__free(b);
}

void pinetl_batch_clear(pinetl_batch *b) {
    if (!b)
        return;
    for (int c = 0; c < b->ncols; c++) {
        if (b->rows && b->cols[c].validity)
            memset(b->cols[c].validity, 0, b->rows / 8 + 1);
        b->cols[c].text_len = 0;
    }
    pinetl__batch_drop_regions(b);
    b->rows = 0;
    b->nrejected = 0;
    b->rblob.len = 0;
    if (b->direct) {
        b->out.len = 0;
        b->out_header = 0;
        memset(b->dnulls, 0, sizeof b->dnulls);
        memset(b->dwarnings, 0, sizeof b->dwarnings);
    }
    /* Sources stay interned (ids are per batch); the current one stays current. */
    pinetl__batch_changed(b);
}

pinetl_table pinetl_batch_table(const pinetl_batch *b) { return b->table; }

int pinetl_batch_select_columns(pinetl_batch *b, uint32_t columns) {
    if (!b)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_batch_select_columns: batch is NULL");
    uint32_t all = (1u << b->ncols) - 1;
    if (columns & ~all)
        return pinetl__error_set(
            PINETL_EINVAL, "pinetl_batch_select_columns: mask 0x%x names a column past %s's %d",
            (unsigned)columns, pinetl_table_name(b->table), b->ncols);
    /* Rows cleaned under another selection would mix; the key decides rejects, so it stays. */
    if (b->rows)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_batch_select_columns: the batch has rows");
    b->select = columns ? columns | 1u : all;
    return PINETL_OK;
}

uint32_t pinetl_batch_selected_columns(const pinetl_batch *b) { return b ? b->select : 0; }

int pinetl__batch_reserve_row(pinetl_batch *b) {
    if (b->rows < b->cap)
        return 0;
    size_t cap = b->cap ? b->cap * 2 : 1024;
    if (pinetl__alloc_grow(&b->status, cap, 1) || pinetl__alloc_grow(&b->warnings, cap, 4) ||
        pinetl__alloc_grow(&b->escape, cap, 4) || pinetl__alloc_grow(&b->lines, cap, 8) ||
        pinetl__alloc_grow(&b->offsets, cap, 8) || pinetl__alloc_grow(&b->source_ids, cap, 4))
        return -1;
    for (int i = 0; i < b->ncols && !b->direct; i++) { /* a one-pass batch keeps no columns */
        column *c = &b->cols[i];
        if (pinetl__alloc_grow(&c->validity, cap / 8 + 1, 1))
            return -1;
        /* Zeroed so that bits past the last row read as null, deterministically. */
        size_t old = b->cap ? b->cap / 8 + 1 : 0;
        memset(c->validity + old, 0, cap / 8 + 1 - old);
        switch (c->type) {
        case PINETL_TYPE_TEXT:
            if (c->viewed) {
                if (pinetl__alloc_grow(&c->views, cap, TEXT_VIEW))
                    return -1;
                break;
            }
            if (pinetl__alloc_grow(&c->offsets, cap + 1, 8))
                return -1;
            if (!b->cap)
                c->offsets[0] = 0;
            break;
        case PINETL_TYPE_COORDS:
            if (pinetl__alloc_grow(&c->coords, cap * 2, 8))
                return -1;
            break;
        default:
            if (pinetl__alloc_grow(&c->i64, cap, 8))
                return -1;
            break;
        }
    }
    b->cap = cap;
    return 0;
}

int pinetl__batch_set_source(pinetl_batch *b, const char *source) {
    if (!source)
        source = "<input>";
    if (b->nsources && strcmp(b->sources[b->source], source) == 0)
        return PINETL_OK;
    for (uint32_t i = 0; i < b->nsources; i++) {
        if (strcmp(b->sources[i], source) == 0) {
            b->source = i;
            return PINETL_OK;
        }
    }
    if (b->nsources == b->sources_cap) {
        uint32_t cap = b->sources_cap ? b->sources_cap * 2 : 4;
        if (pinetl__alloc_grow(&b->sources, cap, sizeof *b->sources))
            return pinetl__error_set(PINETL_ENOMEM, "out of memory naming a source");
        b->sources_cap = cap;
    }
    char *copy = pinetl__strdup(source);
    if (!copy)
        return pinetl__error_set(PINETL_ENOMEM, "out of memory naming a source");
    b->sources[b->nsources] = copy;
    b->source = b->nsources++;
    return PINETL_OK;
}

/* Sets every column of row r to null (a rejected row). */
static void null_row(pinetl_batch *b, size_t r) {
    for (int i = 0; i < b->ncols && !b->direct; i++) {
        column *c = &b->cols[i];
        bit_clear(c->validity, r);
        if (c->type == PINETL_TYPE_TEXT)
            pinetl__text_null(c, r);
        else if (c->type == PINETL_TYPE_COORDS)
            c->coords[2 * r] = c->coords[2 * r + 1] = 0;
        else
            c->i64[r] = 0;
    }
}

int pinetl__batch_reject_row(pinetl_batch *b, int code, const char *message, const char *raw,
                             size_t raw_len, int64_t line, int64_t offset) {
    if (!b->nsources && pinetl__batch_set_source(b, NULL))
        return PINETL_ENOMEM;
    if (pinetl__batch_reserve_row(b))
        return pinetl__error_set(PINETL_ENOMEM, "out of memory adding a row");
    if (b->nrejected == b->rejects_cap) {
        size_t cap = b->rejects_cap ? b->rejects_cap * 2 : 64;
        if (pinetl__alloc_grow(&b->rejects, cap, sizeof *b->rejects))
            return pinetl__error_set(PINETL_ENOMEM, "out of memory adding a reject");
        b->rejects_cap = cap;
    }
    size_t mlen = strlen(message), start = b->rblob.len;
    if (pinetl__buf_reserve(&b->rblob, mlen + 1 + raw_len))
        return pinetl__error_set(PINETL_ENOMEM, "out of memory adding a reject");
    pinetl__buf_append(&b->rblob, message, mlen + 1);
    pinetl__buf_append(&b->rblob, raw, raw_len);
    size_t r = b->rows;
    reject *rj = &b->rejects[b->nrejected++];
    rj->row = r;
    rj->msg = start;
    rj->raw = start + mlen + 1;
    rj->raw_len = raw_len;
    b->status[r] = (uint8_t)code;
    b->warnings[r] = 0;
    b->escape[r] = 0;
    b->lines[r] = line;
    b->offsets[r] = offset;
    b->source_ids[r] = b->source;
    null_row(b, r);
    b->rows++;
    pinetl__batch_changed(b);
    return PINETL_OK;
}

/* Accessors. */

size_t pinetl_batch_rows(const pinetl_batch *b) { return b ? b->rows : 0; }
size_t pinetl_batch_rejected(const pinetl_batch *b) { return b ? b->nrejected : 0; }
const uint8_t *pinetl_batch_status(const pinetl_batch *b) { return b->status; }
const uint32_t *pinetl_batch_warnings(const pinetl_batch *b) { return b->warnings; }
const int64_t *pinetl_batch_lines(const pinetl_batch *b) { return b->lines; }
const int64_t *pinetl_batch_offsets(const pinetl_batch *b) { return b->offsets; }
const uint32_t *pinetl_batch_source_ids(const pinetl_batch *b) { return b->source_ids; }

const char *pinetl_batch_source_name(const pinetl_batch *b, uint32_t id) {
    return b && id < b->nsources ? b->sources[id] : NULL;
}

static const column *col(const pinetl_batch *b, int c, int type) {
    if (!b || c < 0 || c >= b->ncols)
        return NULL;
    if (type && b->cols[c].type != type &&
        !(type == PINETL_TYPE_INT64 && b->cols[c].type == PINETL_TYPE_TIMESTAMP))
        return NULL;
    return &b->cols[c];
}

const uint8_t *pinetl_batch_validity(const pinetl_batch *b, int c) {
    const column *k = col(b, c, 0);
    return k ? k->validity : NULL;
}

const int64_t *pinetl_batch_int64(const pinetl_batch *b, int c) {
    const column *k = col(b, c, PINETL_TYPE_INT64);
    return k ? k->i64 : NULL;
}

const double *pinetl_batch_coords(const pinetl_batch *b, int c) {
    const column *k = col(b, c, PINETL_TYPE_COORDS);
    return k ? k->coords : NULL;
}

/* A batch with text views has no blob and offsets to hand out (text_views.h). */
const char *pinetl_batch_text_data(const pinetl_batch *b, int c) {
    const column *k = col(b, c, PINETL_TYPE_TEXT);
    return k && !k->viewed && !b->direct ? (k->text ? k->text : "") : NULL;
}

const int64_t *pinetl_batch_text_offsets(const pinetl_batch *b, int c) {
    const column *k = col(b, c, PINETL_TYPE_TEXT);
    return k && !k->viewed ? k->offsets : NULL;
}

static const reject *find_reject(const pinetl_batch *b, size_t row) {
    size_t lo = 0, hi = b->nrejected;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (b->rejects[mid].row < row)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < b->nrejected && b->rejects[lo].row == row ? &b->rejects[lo] : NULL;
}

const char *pinetl_batch_reject_message(const pinetl_batch *b, size_t row) {
    if (!b || row >= b->rows || !b->status[row])
        return NULL;
    const reject *r = find_reject(b, row);
    return r ? b->rblob.p + r->msg : NULL;
}

int pinetl_batch_reject_raw(const char **raw, size_t *len, const pinetl_batch *b, size_t row) {
    if (!b || row >= b->rows || !b->status[row])
        return pinetl__error_set(PINETL_EINVAL, "row %zu is not a rejected row", row);
    const reject *r = find_reject(b, row);
    if (!r)
        return pinetl__error_set(PINETL_ERROR, "row %zu has no reject entry", row);
    *raw = b->rblob.p + r->raw;
    *len = r->raw_len;
    return PINETL_OK;
}
