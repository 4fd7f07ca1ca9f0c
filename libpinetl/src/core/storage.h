/* The batch's storage, private to src/core: typed columns, per-row metadata, the reject side
 * table and reusable buffers. Everything grows geometrically and survives pinetl_batch_clear. */
#ifndef PINETL_CORE_STORAGE_H
#define PINETL_CORE_STORAGE_H

#include <pinetl/batch.h>

#include "intake.h"
#include "json.h"
#include "util/buf.h"

typedef struct column {
    int type;
    uint8_t *validity; /* cap / 8 + 1 bytes */
    int64_t *i64;      /* INT64, TIMESTAMP */
    double *coords;    /* COORDS: 2 per row */
    char *text;        /* TEXT blob (with text views: the texts no region holds) */
    size_t text_cap;
    int64_t *offsets; /* TEXT: cap + 1 (not with text views) */
    int viewed;       /* TEXT: the texts are views (pinetl__batch_use_views) */
    uint8_t *views;   /* TEXT with text views: TEXT_VIEW bytes per row */
    size_t text_len;  /* TEXT with text views: bytes of text used */
} column;

/* Text views (pinetl__batch_use_views): each text is 16 bytes in Arrow's string view layout
 * (int32 length; up to 12 bytes inline, else a 4-byte prefix, an int32 buffer index and an int32
 * offset). Buffer 0 is the column's own blob, buffer 1 + i the batch's region i: input memory
 * the batch keeps alive, so a text that needs no decoding is never copied. */
enum { TEXT_VIEW = 16, TEXT_VIEW_INLINE = 12 };

typedef struct region {
    const char *base;
    size_t len;
    void *ref; /* released with release(ref) when the batch lets go of the region */
    void (*release)(void *ref);
} region;

typedef struct reject {
    size_t row;
    size_t msg;          /* offset of the NUL-terminated message in rblob */
    size_t raw, raw_len; /* the raw bytes in rblob */
} reject;

struct pinetl_batch {
    pinetl_table table;
    int ncols;
    uint32_t select; /* bit c: column c is cleaned; the others stay null, unchecked */
    size_t rows, cap, nrejected;

    uint8_t *status;
    uint32_t *warnings;
    uint32_t *escape; /* bit c: text of column c needs JSON escaping when rendered */
    int64_t *lines, *offsets;
    uint32_t *source_ids;
    column cols[PINETL_MAX_COLUMNS];

    reject *rejects;
    size_t rejects_cap;
    pinetl__buf rblob;

    char **sources; /* interned source names */
    uint32_t nsources, sources_cap, source;

    pinetl__buf scratch; /* decoded strings that are not stored as text */
    json_member *members;
    size_t members_cap;

    int views;       /* texts are views (pinetl__batch_use_views) */
    region *regions; /* with views: the input memory texts may point into */
    size_t nregions, regions_cap;
    size_t region; /* the region the last text was found in */

    int direct;                            /* one-pass render (direct.h): its format */
    int64_t dnulls[PINETL_MAX_COLUMNS];    /* with direct: nulls per column so far */
    int64_t dwarnings[PINETL_MAX_COLUMNS]; /* with direct: warnings per column so far */
    char keys[PINETL_MAX_COLUMNS][40];     /* JSON lines keys (render.c), made once */
    unsigned char klen[PINETL_MAX_COLUMNS];
    size_t kall;

    pinetl__buf out; /* render cache (with direct: the render) */
    int out_format, out_header, out_valid;
    pinetl__buf rout; /* rejects render cache */
    int rout_valid;
};

/* Make room for one more row. */
int pinetl__batch_reserve_row(pinetl_batch *b);
/* Make room for n more bytes of text in column c at row r (from offsets[r]). */
int pinetl__batch_reserve_text(column *c, size_t r, size_t n);

static inline void bit_set(uint8_t *bits, size_t i) { bits[i >> 3] |= (uint8_t)(1u << (i & 7)); }
static inline void bit_clear(uint8_t *bits, size_t i) {
    bits[i >> 3] &= (uint8_t) ~(1u << (i & 7));
}
static inline int bit_get(const uint8_t *bits, size_t i) { return (bits[i >> 3] >> (i & 7)) & 1; }

/* Text storage, either layout. text_room: room for n bytes of row r's text (NULL on memory
 * failure); text_commit: row r's text is the n bytes written there (n > 0); text_null: row r's
 * text is null. text_ref (views only): row r's text is s[0..n) when a region holds it (1), else
 * 0 and nothing is stored. */
char *pinetl__text_room(column *c, size_t r, size_t n);
void pinetl__text_commit(column *c, size_t r, const char *dst, size_t n);
void pinetl__text_null(column *c, size_t r);
int pinetl__text_ref(pinetl_batch *b, column *c, size_t r, const char *s, size_t n);
/* Releases the regions (batch clear and free). */
void pinetl__batch_drop_regions(pinetl_batch *b);

/* Appends a reject row; the message is copied. */
int pinetl__batch_reject_row(pinetl_batch *b, int code, const char *message, const char *raw,
                             size_t raw_len, int64_t line, int64_t offset);
struct clean_value;
/* With direct: renders a cleaned row's values (clean.h) and counts its nulls and warnings. */
int pinetl__render_direct(pinetl_batch *b, const struct clean_value *v);

/* Drops cached renders (any change to the rows). */
static inline void pinetl__batch_changed(pinetl_batch *b) {
    b->out_valid = 0;
    b->rout_valid = 0;
}

#endif
