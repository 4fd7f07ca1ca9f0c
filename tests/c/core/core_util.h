/* Helpers shared by the core tests: one record through a batch, a column's value as text. */
#ifndef PINETL_TEST_CORE_UTIL_H
#define PINETL_TEST_CORE_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pinetl/pinetl.h>

#include "core/batch_internal.h"

/* A batch of one table with one record added (the caller frees it). */
static inline pinetl_batch *clean_one(pinetl_table t, const char *rec)
{
    pinetl_batch *b = NULL;
    if (pinetl_batch_new(&b, t) != PINETL_OK) abort();
    if (pinetl__batch_add_record(b, rec, strlen(rec), 1, 0) != PINETL_OK) abort();
    return b;
}

/* The value of (row, column) as text in buf: "null", an integer, a text, "[lat,lon]" or a
 * formatted timestamp. Returns buf. */
static inline const char *cell(const pinetl_batch *b, size_t row, int c, char *buf, size_t cap)
{
    const uint8_t *valid = pinetl_batch_validity(b, c);
    if (!((valid[row >> 3] >> (row & 7)) & 1)) {
        snprintf(buf, cap, "null");
        return buf;
    }
    switch (pinetl_column_type(pinetl_batch_table(b), c)) {
    case PINETL_TYPE_INT64:
        snprintf(buf, cap, "%lld", (long long)pinetl_batch_int64(b, c)[row]);
        break;
    case PINETL_TYPE_TIMESTAMP: {
        char ts[PINETL_TIMESTAMP_BUFSIZE];
        pinetl_timestamp_format(pinetl_batch_int64(b, c)[row], ts);
        snprintf(buf, cap, "%s", ts);
        break;
    }
    case PINETL_TYPE_COORDS: {
        char x[PINETL_DOUBLE_BUFSIZE], y[PINETL_DOUBLE_BUFSIZE];
        pinetl_double_format(pinetl_batch_coords(b, c)[2 * row], x);
        pinetl_double_format(pinetl_batch_coords(b, c)[2 * row + 1], y);
        snprintf(buf, cap, "[%s,%s]", x, y);
        break;
    }
    default: {
        const int64_t *off = pinetl_batch_text_offsets(b, c);
        snprintf(buf, cap, "%.*s", (int)(off[row + 1] - off[row]), pinetl_batch_text_data(b, c) + off[row]);
    }
    }
    return buf;
}

/* Column c of the single record rec, as cell() writes it; *warn gets the warning bit. */
static inline const char *clean_cell(pinetl_table t, const char *rec, int c, int *warn)
{
    static _Thread_local char buf[4096];
    pinetl_batch *b = clean_one(t, rec);
    if (pinetl_batch_status(b)[0]) {
        snprintf(buf, sizeof buf, "REJECT %s", pinetl_batch_reject_message(b, 0));
        if (warn) *warn = -1;
    } else {
        cell(b, 0, c, buf, sizeof buf);
        if (warn) *warn = (int)((pinetl_batch_warnings(b)[0] >> c) & 1);
    }
    pinetl_batch_free(b);
    return buf;
}

/* Reads a whole file relative to the project root; NULL when it cannot. */
static inline char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *d = malloc((size_t)n + 1);
    if (d && fread(d, 1, (size_t)n, f) != (size_t)n) {
        free(d);
        d = NULL;
    }
    fclose(f);
    if (d) d[n] = 0;
    if (len) *len = (size_t)n;
    return d;
}

/* Adds every line of data (without its newline) as one record; returns the number of lines. */
static inline size_t add_lines(pinetl_batch *b, const char *d, size_t n)
{
    const char *p = d, *end = d + n;
    size_t line = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) nl = end;
        line++;
        if (pinetl__batch_add_record(b, p, (size_t)(nl - p), (int64_t)line, p - d) != PINETL_OK) abort();
        p = nl + 1;
    }
    return line;
}

#endif
