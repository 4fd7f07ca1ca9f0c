/* Dictionary encoding of text columns on the reader's worker threads (pinetl_reader_text_codes).
 * A worker owns its dictionaries; each batch's slot gets the codes and the new texts, copied, so
 * the consumer never reads a dictionary a worker may be growing. */
#ifndef PINETL_IO_READER_DICT_H
#define PINETL_IO_READER_DICT_H

#include <pinetl/reader.h>

/* What one batch holds for one dictionary-encoded column. */
typedef struct rd_out {
    int dict;                  /* the worker's id */
    int encoded;               /* 0: the worker's dictionary gave up; use the texts */
    int32_t *codes;
    size_t codes_cap;
    size_t first_new, new_count;
    char *new_data;
    size_t new_cap;
    int64_t *new_offs;
    size_t new_offs_cap;
} rd_out;

/* One worker's dictionaries, one per column. */
typedef struct rd_worker {
    int id;
    struct {
        pinetl_text_dict *dict;
        size_t rows;           /* rows it has seen */
        int gave_up;
    } col[PINETL_MAX_COLUMNS];
} rd_worker;

/* Checks a dict_columns mask against the table (text columns among those cleaned). */
int pinetl__rdict_check_columns(pinetl_table table, uint32_t dict_columns, uint32_t columns);

/* Encodes the columns of dict_columns of batch into out[column]. */
int pinetl__rdict_encode(rd_worker *w, uint32_t dict_columns, const pinetl_batch *batch, rd_out *out);

void pinetl__rdict_worker_release(rd_worker *w);
void pinetl__rdict_out_free(rd_out *out);
void pinetl__rdict_out_view(const rd_out *out, pinetl_text_codes *view);

#endif
