/* Dictionary encoding on the worker threads: each worker hashes the texts of the batch it just
 * cleaned, while they are still in its cache, into dictionaries only it touches (no lock). */
#include <stdlib.h>
#include <string.h>

#include "core/batch_internal.h"
#include "reader_dict.h"
#include "util/error.h"
#include "util/alloc.h"

/* Give up on a column once it has seen TRIAL_ROWS rows and more than half were new, or its
 * dictionary holds MAX_DICT_BYTES of text: a dictionary of distinct texts only costs. */
enum { TRIAL_ROWS = 4096 };
#define MAX_DICT_BYTES ((size_t)32 << 20)

int pinetl__rdict_check_columns(pinetl_table table, uint32_t dict_columns, uint32_t columns)
{
    int n = pinetl_column_count(table);
    for (int c = 0; c < 32; c++) {
        if (!(dict_columns >> c & 1))
            continue;
        if (c >= n || pinetl_column_type(table, c) != PINETL_TYPE_TEXT)
            return pinetl__error_set(PINETL_EINVAL, "dict_columns: column %d of %s is not a text "
                                    "column", c, pinetl_table_name(table));
        if (columns && !(columns >> c & 1))
            return pinetl__error_set(PINETL_EINVAL, "dict_columns: column '%s' is not among the "
                                    "columns cleaned", pinetl_column_name(table, c));
    }
    return PINETL_OK;
}

/* Copies codes first .. count - 1 (the ones this batch added) out of the dictionary. */
static int copy_new(rd_out *o, const pinetl_text_dict *d, size_t first, size_t count)
{
    const int64_t *offs = pinetl_text_dict_offsets(d);
    size_t bytes = (size_t)(offs[count] - offs[first]);
    o->first_new = first;
    o->new_count = count - first;
    if (pinetl__alloc_reserve(&o->new_data, &o->new_cap, bytes + 1, 1, 256) ||
        pinetl__alloc_reserve(&o->new_offs, &o->new_offs_cap, o->new_count + 1, sizeof *o->new_offs, 256))
        return -1;
    if (bytes)
        memcpy(o->new_data, pinetl_text_dict_data(d) + offs[first], bytes);
    for (size_t i = 0; i <= o->new_count; i++)
        o->new_offs[i] = offs[first + i] - offs[first];
    return 0;
}

static int encode_column(rd_worker *w, int c, const pinetl_batch *b, rd_out *o)
{
    o->dict = w->id;
    o->encoded = 0;
    o->first_new = o->new_count = 0;
    if (w->col[c].gave_up)
        return PINETL_OK;
    if (!w->col[c].dict) {
        int rc = pinetl_text_dict_new(&w->col[c].dict);
        if (rc)
            return rc;
    }
    pinetl_text_dict *d = w->col[c].dict;
    size_t n = pinetl_batch_rows(b), before = pinetl_text_dict_count(d);
    if (pinetl__alloc_reserve(&o->codes, &o->codes_cap, n ? n : 1, sizeof *o->codes, 256))
        return pinetl__error_set(PINETL_ENOMEM, "out of memory encoding a text column");
    int rc = pinetl_text_dict_encode(d, pinetl_batch_text_data(b, c), pinetl_batch_text_offsets(b, c),
                                     pinetl_batch_validity(b, c), n, o->codes);
    if (rc)
        return rc;
    size_t after = pinetl_text_dict_count(d);
    if (copy_new(o, d, before, after))
        return pinetl__error_set(PINETL_ENOMEM, "out of memory encoding a text column");
    o->encoded = 1;
    w->col[c].rows += n;
    size_t bytes = (size_t)pinetl_text_dict_offsets(d)[after];
    if ((w->col[c].rows >= TRIAL_ROWS && 2 * after > w->col[c].rows) || bytes >= MAX_DICT_BYTES) {
        pinetl_text_dict_free(d);
        w->col[c].dict = NULL;
        w->col[c].gave_up = 1;
    }
    return PINETL_OK;
}

int pinetl__rdict_encode(rd_worker *w, uint32_t dict_columns, const pinetl_batch *b, rd_out *out)
{
    for (int c = 0; c < PINETL_MAX_COLUMNS; c++) {
        if (dict_columns >> c & 1) {
            int rc = encode_column(w, c, b, &out[c]);
            if (rc)
                return rc;
        }
    }
    return PINETL_OK;
}

void pinetl__rdict_worker_release(rd_worker *w)
{
    for (int c = 0; c < PINETL_MAX_COLUMNS; c++) {
        pinetl_text_dict_free(w->col[c].dict);
        w->col[c].dict = NULL;
    }
}

void pinetl__rdict_out_free(rd_out *o)
{
    pinetl__free(o->codes);
    pinetl__free(o->new_data);
    pinetl__free(o->new_offs);
    memset(o, 0, sizeof *o);
}

void pinetl__rdict_out_view(const rd_out *o, pinetl_text_codes *v)
{
    static const int64_t zero = 0;
    v->dict = o->dict;
    v->codes = o->encoded ? o->codes : NULL;
    v->first_new = o->first_new;
    v->new_count = o->new_count;
    v->new_data = o->new_count ? o->new_data : "";
    v->new_offsets = o->new_count ? o->new_offs : &zero;
}
