/* The batch's storage, private to src/core: typed columns, per-row metadata, the reject side
 * table and reusable buffers. Everything grows geometrically and survives pinetl_batch_clear. */
#ifndef PINETL_BATCH_IMPL_H
#define PINETL_BATCH_IMPL_H

#include <pinetl/batch.h>

#include "batch_internal.h"
#include "json.h"
#include "util/buf.h"

typedef struct column {
    int type;
    uint8_t *validity;   /* cap / 8 + 1 bytes */
    int64_t *i64;        /* INT64, TIMESTAMP */
    double *coords;      /* COORDS: 2 per row */
    char *text;          /* TEXT blob */
    size_t text_cap;
    int64_t *offsets;    /* TEXT: cap + 1 */
} column;

typedef struct reject {
    size_t row;
    size_t msg;          /* offset of the NUL-terminated message in rblob */
    size_t raw, raw_len; /* the raw bytes in rblob */
} reject;


struct pinetl_batch {
    pinetl_table table;
    int ncols;
    uint32_t select;     /* bit c: column c is cleaned; the others stay null, unchecked */
    size_t rows, cap, nrejected;

    uint8_t *status;
    uint32_t *warnings;
    uint32_t *escape;    /* bit c: text of column c needs JSON escaping when rendered */
    int64_t *lines, *offsets;
    uint32_t *source_ids;
    column cols[PINETL_MAX_COLUMNS];

    reject *rejects;
    size_t rejects_cap;
    pinetl__buf rblob;

    char **sources;      /* interned source names */
    uint32_t nsources, sources_cap, source;

    pinetl__buf scratch;      /* decoded strings that are not stored as text */
    json_member *members;
    size_t members_cap;

    pinetl__buf out;          /* render cache */
    int out_format, out_header, out_valid;
    pinetl__buf rout;         /* rejects render cache */
    int rout_valid;
};

/* Make room for one more row. */
int pinetl__batch_reserve_row(pinetl_batch *b);
/* Make room for n more bytes of text in column c at row r (from offsets[r]). */
int pinetl__batch_reserve_text(column *c, size_t r, size_t n);

static inline void bit_set(uint8_t *bits, size_t i) { bits[i >> 3] |= (uint8_t)(1u << (i & 7)); }
static inline void bit_clear(uint8_t *bits, size_t i) { bits[i >> 3] &= (uint8_t)~(1u << (i & 7)); }
static inline int bit_get(const uint8_t *bits, size_t i) { return (bits[i >> 3] >> (i & 7)) & 1; }

/* Sets every column of row r to null (a rejected row). */
void pinetl__batch_null_row(pinetl_batch *b, size_t r);
/* Appends a reject row; the message is copied. */
int pinetl__batch_reject_row(pinetl_batch *b, int code, const char *message, const char *raw,
                     size_t raw_len, int64_t line, int64_t offset);
/* Drops cached renders (any change to the rows). */
static inline void pinetl__batch_changed(pinetl_batch *b) { b->out_valid = 0; b->rout_valid = 0; }

#endif
